// Op streams cover the key space their cell names: the default length, the
// budget, an explicit --stream-length, and what the result file records
// about them — through the real CLI, addon and worker threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addon } from '../../src/native.js';
import type { CellRecordOk, ResultFile } from '../../src/schema.js';
import { type BenchRun, runBenchCli } from './bench-cli.js';

const bench = (args: string[]): BenchRun => runBenchCli(['--threads', '2', '--load-factors', '0.5', '--duration', '0.05', '--warmup', '0.01', '--repeat', '1', '--no-stats', '--max-skew', '100%'], args);

function okCell(doc: ResultFile | null): CellRecordOk {
  const c = doc?.cells[0];
  assert.ok(c && c.status === 'ok', JSON.stringify(c));
  return c as CellRecordOk;
}

test('the default stream length draws 4 ops per key over all threads, and covers the key space', () => {
  const r = bench(['--maps', 'lockfree', '--keys', '3e5', '--mix', 'C']);
  assert.equal(r.status, 0, r.stderr);
  const c = okCell(r.doc);
  assert.equal(r.doc!.config.streamLength, null, 'auto');
  const st = c.stream!;
  // 4 x 3e5 / 2 threads, rounded up to whole 256-op batches.
  assert.equal(st.opsPerThread, Math.ceil(600_000 / 256) * 256);
  assert.equal(st.given, false);
  assert.equal(st.budgetCapped, false);
  // 1 - e^-4 of a uniform key space; counted exactly, so it is a count, not an estimate.
  assert.ok(st.coverage > 0.97, `coverage ${st.coverage}`);
  assert.equal(st.distinctKeys, Math.round(st.coverage * 3e5));
  assert.equal(st.distinctMissKeys, 0, 'mix C draws no miss key');
  assert.ok(Math.abs(st.coverage - st.expectedCoverageAtIdeal) < 0.005);
  const rep = c.repeats[0]!;
  assert.ok(rep.streamWraps! > 0);
  assert.ok(Math.abs(rep.streamWraps! - rep.ops / (2 * st.opsPerThread)) < 1e-9);
  for (const t of rep.threads) assert.ok(t.generateSeconds > 0);
  assert.ok(!r.doc!.warnings.some((w) => w.code === 'streamCoverage'));
});

test('a stream much shorter than the key space is recorded as such and warned about', () => {
  const r = bench(['--maps', 'floor', '--keys', '1e6', '--mix', 'C', '--stream-length', '4096']);
  assert.equal(r.status, 0, r.stderr);
  const st = okCell(r.doc).stream!;
  assert.equal(st.given, true);
  assert.equal(st.opsPerThread, 4096);
  // Two threads of 4096 ops touch at most 8192 distinct keys.
  assert.ok(st.distinctKeys <= 8192 && st.distinctKeys > 8000, `${st.distinctKeys}`);
  const w = r.doc!.warnings.find((x) => x.code === 'streamCoverage');
  assert.ok(w, 'streamCoverage warning');
  assert.match(w!.message, /touch 0\.8% of the keys/);
  assert.match(w!.advice, /--stream-length/);
});

test('the stream budget caps the default length, and the cap is recorded and warned about', () => {
  const r = bench(['--maps', 'floor', '--keys', '1e6', '--mix', 'C', '--stream-budget', '4MiB']);
  assert.equal(r.status, 0, r.stderr);
  const st = okCell(r.doc).stream!;
  assert.equal(st.budgetCapped, true);
  assert.equal(st.opsPerThread, (4 * 2 ** 20) / 8 / 2);
  assert.ok(st.opsPerThread < st.idealOpsPerThread);
  assert.ok(st.coverage < st.expectedCoverageAtIdeal);
  const w = r.doc!.warnings.find((x) => x.code === 'streamCoverage');
  assert.ok(w);
  assert.match(w!.advice, /--stream-budget/);
});

test('a miss-only mix is covered over the miss range', () => {
  const r = bench(['--maps', 'lockfree', '--keys', '1e5', '--mix', 'miss']);
  assert.equal(r.status, 0, r.stderr);
  const st = okCell(r.doc).stream!;
  assert.equal(st.distinctKeys, 0);
  assert.ok(st.coverage > 0.97 && st.coverage === st.distinctMissKeys / 1e5);
});

for (const [args, message] of [
  [['--stream-length', '1000'], /--stream-length must be 'auto' or a multiple of 256/],
  [['--stream-length', 'lots'], /--stream-length must be integers/],
  [['--stream-budget', '1KiB'], /--stream-budget must be a size of at least 2048 bytes/],
  [['--stream-budget', '3 parsecs'], /--stream-budget must be a size/],
] as const) {
  test(`bad stream flags ${args.join(' ')}: one line, exit 2`, () => {
    const r = bench(['--maps', 'lockfree', '--keys', '1000', ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, message);
    assert.equal(r.doc, null);
  });
}

test('streamPlan and expectedCoverage: the native rule, as the harness sees it', () => {
  const p = addon.streamPlan([100, 0, 0, 0, 0], 1e6, 2, 2 ** 30);
  assert.deepEqual(p, { opsPerThread: 2_000_128, idealPerThread: 2_000_128, capped: false, readRangeShare: 1 });
  const capped = addon.streamPlan([100, 0, 0, 0, 0], 3e7, 1, 2 ** 28);
  assert.equal(capped.capped, true);
  assert.equal(capped.opsPerThread, 2 ** 25);
  assert.ok(Math.abs(addon.expectedCoverage({ dist: 'uniform' }, 1e6, 4e6) - (1 - Math.exp(-4))) < 1e-4);
  assert.ok(addon.expectedCoverage({ dist: 'zipf', theta: 0.99 }, 1e6, 4e6) < 0.7, 'zipf leaves its tail untouched');
  assert.equal(addon.expectedCoverage({ dist: 'hotkey' }, 1000, 1e6), 1 / 1000);
  assert.throws(() => addon.streamCoverage(new BigUint64Array(1), 1000), /at least ceil\(2 \* keys \/ 64\) words/);
  const bits = new BigUint64Array(new SharedArrayBuffer(8 * 32));
  bits[0] = 0b1011n; // indices 0, 1, 3
  bits[15] = 1n << 40n; // index 1000: the first miss index for 1000 keys
  assert.deepEqual(addon.streamCoverage(bits, 1000), { present: 3, miss: 1 });
});
