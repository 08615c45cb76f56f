// String key types in the harness: --key-type's validation (one line, exit 2,
// nothing run), the matrix it spans, what a real run records (key types in
// the cells, key record bytes, the hash calibration), how the summary labels
// cells that differ by key type, and the string-keys scenario's findings from
// chosen figures. Invariants only: nothing here depends on how fast a run was.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { runBench } from '../../src/bench.js';
import { resolveConfig, type RawOptions } from '../../src/config.js';
import { buildMatrix, keyTypeOf } from '../../src/matrix.js';
import { findScenario } from '../../src/scenarios/index.js';
import { parseResultFile, type ResultFile } from '../../src/schema.js';
import { buildPivot, renderSummary } from '../../src/summary.js';
import { assertRejected } from './bench-cli.js';
import { FAKE_ENV, FakeLab } from './fake-lab.js';
import { syntheticFile } from './fixtures/scenarios/synthetic.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/bench.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-keys-'));
const bench = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

// ---- validation ----

const badKeyTypes: Array<[string[], RegExp]> = [
  [['--key-type', 'nope'], /^mapbench: error: --key-type 'nope' is not one of u64, str:N, str:A-B, str:order, str:uuid/],
  [['--key-type', 'str:0'], /--key-type str:0: key lengths must be in 1\.\.1024 bytes/],
  [['--key-type', 'str:2000'], /--key-type str:2000: key lengths must be in 1\.\.1024 bytes/],
  [['--key-type', 'str:9-3'], /--key-type str:9-3: the shortest length must not exceed the longest/],
  [['--key-type', 'str:2', '--keys', '100000'], /--key-type str:2 can spell only \d+ distinct keys, and --keys 100000 needs 200000/],
  [['--key-type', 'str:16', '--maps', 'readmostly'], /--key-type str:16: map design 'readmostly' has no string-key form \(string keys: mutex, /],
  [['--key-type', 'str:16', '--maps', 'sharded', '--partition', 'shard'], /--partition shard follows integer keys' hashes: string key types \(str:16\) take --partition none or thread/],
  [['--key-type', 'u64,str:16,str:16'], /--key-type lists 'str:16' more than once/],
  [['--key-type', 'str:16', '--maps', 'floor,lockfree'], /--maps floor: the pseudo-map has no string-key form and --key-type str:16 lists only string types/],
  [['--key-type', 'str:16', '--maps', 'lockfree', '--initial-capacity', '1024'], /--key-type str:16: lockfree's string form does not grow/],
];

for (const [args, message] of badKeyTypes) {
  test(`bad key types ${args.join(' ')}: one line, exit 2, nothing written`, () => {
    const dir = tmp();
    assertRejected(['--out', path.join(dir, 'r.json'), ...args], message, dir);
  });
}

// ---- the matrix and the run, against the fake lab ----

function config(lab: FakeLab, raw: RawOptions) {
  return resolveConfig(
    { keys: '1000', duration: '0.1', warmup: '0', repeat: '2', out: '/tmp/unused.json', loadFactors: '0.5', mix: 'C', threads: '1', stats: false, ...raw },
    { designs: lab.designs(), capacityFor: lab.capacityFor.bind(lab), availableCpus: [0, 1], keyType: lab.keyType.bind(lab), skipOutCheck: true },
  );
}

test('key types are a matrix dimension; pseudo-maps keep their u64 cells, and the run says so once', async () => {
  const lab = new FakeLab();
  const cfg = config(lab, { maps: 'lockfree,floor', keyType: 'u64,str:16,str:order' });
  assert.deepEqual(cfg.keyTypes.map((k) => k.name), ['u64', 'str:16', 'str:order']);
  const cells = buildMatrix(cfg);
  assert.deepEqual(cells.map((c) => `${c.params.map} ${keyTypeOf(c.params)}`), ['lockfree u64', 'lockfree str:16', 'lockfree str:order', 'floor u64']);
  // u64 cells record no key type and their key names none: they keep their keys from before key types.
  for (const c of cells) {
    assert.equal(c.key.includes('keytype='), c.params.keyType !== undefined, c.key);
    assert.notEqual(c.params.keyType, 'u64', c.key);
  }
  assert.equal(cells.find((c) => c.params.keyType === 'str:16')!.key.split('|').at(-1), 'keytype=str:16');

  const doc = await runBench(cfg, lab, FAKE_ENV, { write: () => {} }, { aborted: false });
  parseResultFile(JSON.parse(JSON.stringify(doc)));
  assert.deepEqual(doc.config.keyTypes, ['u64', 'str:16', 'str:order']);
  assert.deepEqual(lab.hashed, ['str:16', 'str:order'], 'one calibration per string key type, none for u64');
  assert.deepEqual(Object.keys(doc.calibration!.hashCost!), ['str:16', 'str:order']);
  assert.equal(doc.calibration!.hashCost!['str:order']!.meanBytes, 18);
  assert.equal(doc.calibration!.hashCost!['str:16']!.hash, 'XXH3-64');
  const notes = doc.warnings.filter((w) => w.code === 'u64OnlyMaps');
  assert.equal(notes.length, 1);
  assert.match(notes[0]!.message, /^floor has no string-key form: its str:16, str:order cells are left out/);
  for (const c of doc.cells) {
    assert.equal(c.status, 'ok');
    if (c.status === 'ok') assert.equal((c.map.keyBytes ?? 0) > 0, c.params.keyType !== undefined, c.key);
  }

  // The default maps with string keys only: the pseudo-maps are left out, not an error.
  const defaults = buildMatrix(config(lab, { keyType: 'str:16' }));
  assert.ok(defaults.length > 0 && defaults.every((c) => c.params.design !== 'floor' && c.params.keyType === 'str:16'));
  // u64 alone: the file reads as before key types: no key types in config or cells, no calibration, no note.
  const plain = await runBench(config(lab, { maps: 'lockfree,floor' }), lab, FAKE_ENV, { write: () => {} }, { aborted: false });
  assert.equal(plain.calibration, undefined);
  assert.equal(plain.config.keyTypes, undefined);
  assert.ok(plain.cells.every((c) => c.params.keyType === undefined && (c.status !== 'ok' || c.map.keyBytes === undefined)));
  assert.ok(!plain.warnings.some((w) => w.code === 'u64OnlyMaps'));
});

test('the summary labels columns by key type where cells differ by it, u64 first', () => {
  const cells = ['u64', 'str:16'].flatMap((keyType) =>
    ['C', 'cart'].flatMap((mix) =>
      [1, 2].flatMap((threads) => [0.5, 0.9].map((loadFactor) => ({ params: { map: 'lockfree', ...(keyType === 'u64' ? {} : { keyType }), mix, threads, loadFactor }, qps: 1e6 }))),
    ),
  );
  const doc = syntheticFile('string-keys', cells);
  const labels = buildPivot(doc).columns.map((c) => c.label);
  assert.ok(labels.includes('C lf0.5 2T str:16'), labels.join(', '));
  assert.ok(labels.indexOf('C lf0.5 2T u64') < labels.indexOf('C lf0.5 2T str:16'));
  doc.calibration = { hashCost: { 'str:16': { hash: 'XXH3-64', nsPerKey: 2.5, meanBytes: 16, keysHashed: 1, seconds: 0.1 } } };
  assert.match(renderSummary(doc), /^hash alone \(XXH3-64, calibration\): str:16 2\.50 ns\/key$/m);
  // A file with u64 cells only: no key type in the labels.
  const u64 = syntheticFile('x', [{ params: { map: 'lockfree', threads: 1 } }, { params: { map: 'lockfree', threads: 2 } }]);
  assert.deepEqual(buildPivot(u64).columns.map((c) => c.label), ['1T', '2T']);
});

// ---- a real run ----

test('a tiny real run with u64 and str:16 keys records key types, key bytes and the hash calibration', () => {
  const dir = tmp();
  const out = path.join(dir, 'r.json');
  const r = bench([
    '--key-type', 'u64,str:16', '--maps', 'lockfree,mutex', '--threads', '2', '--keys', '20000', '--load-factors', '0.5',
    '--mix', 'C,cart', '--duration', '0.05', '--warmup', '0.02', '--repeat', '1', '--no-stats', '--max-skew', '100%', '--out', out, '--quiet',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc: ResultFile = parseResultFile(JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.equal(doc.cells.length, 2 * 2 * 2);
  assert.deepEqual(doc.config.keyTypes, ['u64', 'str:16']);
  const cost = doc.calibration?.hashCost?.['str:16'];
  assert.ok(cost, 'hash calibration recorded');
  assert.equal(cost.hash, 'XXH3-64');
  assert.equal(cost.meanBytes, 16);
  assert.ok(cost.nsPerKey > 0 && cost.keysHashed > 0);
  assert.deepEqual(Object.keys(doc.calibration!.hashCost!), ['str:16']);
  for (const c of doc.cells) {
    assert.equal(c.status, 'ok', `${c.key}: ${c.status === 'failed' ? c.error : ''}`);
    if (c.status !== 'ok') continue;
    const strings = c.params.keyType === 'str:16';
    assert.ok(c.params.keyType === undefined || strings, c.key);
    assert.equal(c.key.endsWith('|keytype=str:16'), strings, c.key);
    for (const rep of c.repeats) assert.deepEqual(rep.check, { ok: true, message: '' }, c.key);
    const keyBytes = c.map.keyBytes ?? 0;
    if (strings) {
      assert.ok(keyBytes > 0, `${c.key}: key records counted`);
      // Bytes per entry come from the counting allocator: the key records are part of them.
      assert.ok(c.map.bytesPerEntry * c.map.prefillEntries >= keyBytes, c.key);
    } else {
      assert.equal(c.map.keyBytes, undefined, c.key);
    }
    // Allocations happen only where ops insert keys the map did not hold.
    const insertedNew = c.repeats.reduce((a, rep) => a + rep.outcomes.insertNew, 0);
    if (c.summary.allocationsPerOp > 0) assert.ok(insertedNew > 0, `${c.key}: allocates without new keys`);
    if (c.params.mix === 'C') assert.equal(c.summary.allocationsPerOp, 0, c.key);
  }
  const mutexCart = doc.cells.find((c) => c.params.map === 'mutex' && c.params.mix === 'cart' && c.params.keyType === 'str:16');
  assert.ok(mutexCart?.status === 'ok' && mutexCart.summary.allocationsPerOp > 0, 'the locked table allocates a key record per new key');
});

// ---- the scenario's findings from chosen figures ----

test('string-keys: each design against its own u64, winners per key type, the hash against ns/op, memory with key records', () => {
  const qps: Record<string, number> = {
    'mutex u64 C': 10e6, 'mutex str:16 C': 5e6, 'lockfree u64 C': 40e6, 'lockfree str:16 C': 8e6,
    'mutex u64 cart': 10e6, 'mutex str:16 cart': 6e6, 'lockfree u64 cart': 20e6, 'lockfree str:16 cart': 4e6,
  };
  const cells = Object.entries(qps).map(([k, v]) => {
    const [map, keyType, mix] = k.split(' ') as [string, string, string];
    const str = keyType !== 'u64';
    return {
      params: { map, ...(str ? { keyType } : {}), mix, threads: 2, ...(mix === 'cart' ? { mixWeights: [25, 0, 30, 40, 5] } : {}) },
      qps: v,
      bytesPerEntry: str ? 60 : 32,
      ...(str ? { keyBytes: 28_000 } : {}),
      allocationsPerOp: str && mix === 'cart' && map === 'mutex' ? 0.05 : 0,
    };
  });
  const doc = syntheticFile('string-keys', cells);
  doc.calibration = { hashCost: { 'str:16': { hash: 'XXH3-64', nsPerKey: 3, meanBytes: 16, keysHashed: 1, seconds: 0.1 } } };
  const s = findScenario('string-keys')!;
  const f = s.findings(doc);
  const find = (re: RegExp) => {
    const x = f.find((y) => re.test(y.text));
    assert.ok(x, `no finding matches ${re}: ${f.map((y) => y.text).join(' | ')}`);
    return x;
  };
  assert.equal(find(/^mutex, mix C, 2 threads: str:16 0\.5× its u64 throughput \(10 Mops\/s\)$/).value, 0.5);
  assert.equal(find(/^lockfree, mix C, 2 threads: str:16 0\.2× its u64/).value, 0.2);
  assert.equal(find(/^mix C, 2 threads, str:16: lockfree wins with 8 Mops\/s \(1\.6× mutex\); the same as u64's$/).value, 1.6);
  assert.equal(find(/^mix cart, 2 threads, str:16: mutex wins with 6 Mops\/s \(1\.5× lockfree\); u64's winner is lockfree$/).value, 1.5);
  // ns per op of one thread: 2 threads / 8e6 ops/s = 250 ns (lockfree), 2 / 5e6 = 400 ns (mutex).
  const hash = find(/^str:16, mix C, 2 threads: XXH3-64 alone takes 3 ns per key \(16 bytes\); per op mutex 400 ns, lockfree 250 ns: at most 1\.2% of an op \(lockfree\)$/);
  assert.equal(hash.value, 3 / 250);
  assert.equal(find(/^mutex, str:16, mix cart, 2 threads: 0\.05 allocations per op, 60 bytes per entry \(28 of them key records; 32 with u64 keys\)$/).value, 0.05);
  assert.equal(find(/^lockfree, str:16, mix cart/).value, 0);
  const charts = s.charts(doc);
  assert.deepEqual(charts.map((c) => c.id), ['string-keys-qps-C', 'string-keys-qps-cart', 'string-keys-rel-C', 'string-keys-rel-cart', 'string-keys-bytes']);
  const rel = charts.find((c) => c.id === 'string-keys-rel-C')!;
  assert.deepEqual(rel.series.find((x) => x.name === 'mutex')!.points, [['u64', 1], ['str:16', 0.5]]);
  const table = s.tables!(doc)[0]!;
  assert.equal(table.rows.length, cells.length);
});
