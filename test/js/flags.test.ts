// The bench flags are declared once (src/flags.ts): commander's options come
// from the table, every row is read by the code that resolves or acts on the
// flags, and the resolved config is stored exactly as the results schema
// describes it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { benchProgram } from '../../src/cli/bench-options.js';
import { configRecord, type DesignSummary, resolveConfig } from '../../src/config.js';
import { BENCH_FLAGS, DEFAULTS } from '../../src/flags.js';
import { packageRoot } from '../../src/native.js';
import { ResolvedConfigSchema } from '../../src/schema.js';

test('commander declares exactly the rows of the flag table, with their defaults', () => {
  const options = benchProgram().options;
  assert.deepEqual(options.map((o) => o.flags), BENCH_FLAGS.map((r) => r.flag));
  for (const row of BENCH_FLAGS) {
    const o = options.find((x) => x.flags === row.flag)!;
    assert.equal(o.attributeName(), row.key, row.flag);
    if ('default' in row) assert.equal(o.defaultValue, row.default, row.flag);
  }
});

test('every row is read where flags are resolved or acted on', () => {
  const readers = ['src/config.ts', 'src/cli/bench.ts', 'src/cli/bench-options.ts'].map((f) => fs.readFileSync(path.join(packageRoot, f), 'utf8')).join('\n');
  const unread = [...new Set(BENCH_FLAGS.map((r) => r.key))].filter((k) => !new RegExp(`\\braw\\.${k}\\b`).test(readers));
  assert.deepEqual(unread, []);
  for (const [k, v] of Object.entries(DEFAULTS)) {
    const row = BENCH_FLAGS.find((r) => r.key === k && 'default' in r);
    assert.equal(row && 'default' in row ? row.default : undefined, v, k);
  }
});

test('the stored config is exactly the schema: no field the schema lacks, none it requires missing', () => {
  const designs: DesignSummary[] = [{ name: 'mutex', kind: 'map', sharded: false, openAddressing: true }];
  const c = resolveConfig({ maps: 'mutex' }, { designs, capacityFor: (e, lf) => Math.ceil(e / lf), availableCpus: [0, 1], skipOutCheck: true });
  const record = configRecord(c);
  assert.deepEqual(ResolvedConfigSchema.strict().parse(record), record);
});
