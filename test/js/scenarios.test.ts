// Scenarios: every preset resolves and runs end to end in smoke mode with
// the real addon, and every finding is computed from the data — a synthetic
// result file with chosen figures must produce exactly the sentence and the
// number those figures imply.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { findScenario, SCENARIOS } from '../../src/scenarios/index.js';
import { knuthHit, knuthMiss } from '../../src/scenarios/lf-knee.js';
import { kneeOf, missedShareOf, stepped } from '../../src/scenarios/stepped.js';
import { availableCpus, resolveConfig } from '../../src/config.js';
import { addon } from '../../src/native.js';
import { findCell, SMOKE_BASE } from '../../src/scenarios/scenario.js';
import { parseResultFile } from '../../src/schema.js';
import { syntheticFile } from './fixtures/scenarios/synthetic.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/bench.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mapbench-scenario-'));
const bench = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 600_000 });

const findingsOf = (name: string, doc: ReturnType<typeof syntheticFile>) => findScenario(name)!.findings(doc);

// ---- presets ----

for (const s of SCENARIOS) {
  test(`scenario ${s.name}: its preset and its smoke preset resolve against this build's designs`, () => {
    const ctx = { designs: addon.designs(), capacityFor: addon.capacityFor, availableCpus: availableCpus(), keyType: addon.keyType, skipOutCheck: true };
    const full = resolveConfig({ ...s.flags, scenario: s.name }, ctx);
    const smoke = resolveConfig({ ...s.flags, ...SMOKE_BASE, ...s.smoke, scenario: s.name }, ctx);
    assert.equal(full.scenario, s.name);
    assert.ok(smoke.durationSeconds <= full.durationSeconds);
    assert.ok(s.claim.length > 0 && s.title.length > 0);
  });
}

test('--scenario all --smoke: every scenario runs, writes its file and prints its findings', () => {
  const dir = tmp();
  const r = bench(['--scenario', 'all', '--smoke', '--out-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  for (const s of SCENARIOS) {
    const doc = parseResultFile(JSON.parse(fs.readFileSync(path.join(dir, `${s.name}.json`), 'utf8')));
    assert.equal(doc.scenario, s.name);
    assert.equal(doc.status, 'complete');
    assert.ok(doc.cells.length > 0 && doc.cells.every((c) => c.status === 'ok'), s.name);
    const findings = s.findings(doc);
    assert.ok(findings.length > 0, s.name);
    assert.ok(findings.some((f) => f.value !== null), `${s.name}: no finding could be computed`);
    for (const f of findings) assert.ok(r.stdout.includes(`finding: ${f.text}`), `${s.name}: '${f.text}' not printed`);
    for (const c of s.charts(doc)) assert.ok(c.series.length > 0, `${s.name}: chart ${c.id} has no series`);
  }
});

const badScenarioFlags: Array<[string[], RegExp]> = [
  [['--scenario', 'nope'], /unknown scenario 'nope' \(known: lf-knee, /],
  [['--scenario', 'all', '--out', 'x.json'], /use --out-dir, not --out/],
  [['--smoke'], /--smoke only applies to --scenario/],
];
for (const [args, message] of badScenarioFlags) {
  test(`bad scenario flags ${args.join(' ')}: one line, exit 2`, () => {
    const r = bench(args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  });
}

// ---- findings from chosen figures ----

test('lf-knee: the p99 miss ratio between 0.95 and 0.85, and probes against Knuth', () => {
  const cells = ['lockfree'].flatMap((map) =>
    [0.85, 0.95].flatMap((lf) => [
      { params: { map, loadFactor: lf, mix: 'miss' }, latency: { getMiss: { p99Ns: lf === 0.95 ? 370 : 100 } }, stats: { meanProbeMiss: knuthMiss(lf) * 1.1 } },
      { params: { map, loadFactor: lf, mix: 'C' }, stats: { meanProbeHit: knuthHit(lf) } },
    ]),
  );
  const f = findingsOf('lf-knee', syntheticFile('lf-knee', cells));
  assert.equal(f[0]!.value, 3.7);
  assert.match(f[0]!.text, /^lockfree: p99 of a get-miss at load factor 0.95 is 3.7× that at 0.85 \(370 ns vs 100 ns/);
  assert.ok(Math.abs(f[1]!.value! - 1.1) < 1e-9);
  assert.match(f[1]!.text, /within 10% of Knuth's expectation \(largest gap: misses/);
});

test('shards: throughput by shard count, the hottest shard share, the hot key', () => {
  const cells = [1, 16, 64].flatMap((shards) =>
    ['uniform', 'zipf:0.99', 'hotkey'].map((dist) => ({
      params: { map: 'sharded', design: 'sharded', shards, threads: 2, dist },
      qps: dist === 'hotkey' ? 5e6 : shards * 1e6,
      stats: { shardSkew: { maxOverMean: 40, cv: 2, hottestShare: dist === 'hotkey' ? 1 : 0.67, hottestShard: 3 } },
    })),
  );
  const f = findingsOf('shards', syntheticFile('shards', cells));
  assert.match(f[0]!.text, /2 threads: 1 shard 1 Mops\/s, 16 shards 16 Mops\/s, 64 shards 64 Mops\/s/);
  assert.equal(f[0]!.value, 64);
  assert.match(f[1]!.text, /^zipf:0.99, 64 shards: the hottest shard takes 67% of the ops/);
  assert.equal(f[1]!.value, 0.67);
  assert.equal(f[2]!.value, 1);
  assert.ok(Math.abs(f[3]!.value! - 5 / 64) < 1e-12);
});

test('false-sharing: packed against padded, the map beside the calibration counters', () => {
  const two: Record<string, [number, number]> = {
    'sharded:spin:packed': [15e6, 300], 'sharded:spin:64': [30e6, 100], 'sharded:spin:128': [30e6, 100],
    'counters:packed': [20e6, 50], 'counters:64': [80e6, 50], 'counters:128': [80e6, 50],
  };
  const cells = Object.entries(two).flatMap(([map, [qps, p99Ns]]) =>
    ['A', 'C'].flatMap((mix) => [1, 2].map((threads) => ({
      params: { map, design: map.split(':')[0]!, mix, threads, partition: 'shard' as const },
      qps: threads === 2 ? qps : map.startsWith('counters') ? 40e6 : 20e6,
      latency: { overall: { p99Ns: threads === 2 ? p99Ns : 100 } },
    }))));
  const f = findingsOf('false-sharing', syntheticFile('false-sharing', cells));
  assert.equal(f[0]!.value, 0.5);
  assert.match(f[0]!.text, /^mix A, write-heavy .*: packed 15 Mops\/s, 64-byte 30 Mops\/s, 128-byte 30 Mops\/s: packed runs at 0.5× the 64-byte throughput, with 3× its p99/);
  assert.equal(f[1]!.value, 1);
  assert.equal(f[2]!.value, 0.25);
  assert.match(f[2]!.text, /the pure false-sharing cost here, beside the map's 0.5×/);
  assert.match(f[3]!.text, /^mix C, read-only/);
  assert.equal(f[6]!.value, 2);
  assert.match(f[6]!.text, /ran in parallel and a line written by both costs what the calibration ratio says/);
  assert.equal(f[7]!.value, 1);
});

test('read-mostly: the leader per mix, allocations and promotion spikes under churn', () => {
  const series = { windowSeconds: 0.01, opsPerSec: [1e6, 1e6, 1e6, 1e6, 1e6], maxLatencyNs: [100, 100, 5000, 100, null] };
  const cells = [
    { params: { map: 'readmostly', mix: 'get=99,update=1', threads: 2 }, qps: 40e6 },
    { params: { map: 'lockfree', mix: 'get=99,update=1', threads: 2 }, qps: 80e6 },
    { params: { map: 'readmostly', mix: 'churn', threads: 2 }, qps: 5e6, allocationsPerOp: 0.5, bytesPerOp: 24, latency: { overall: { p99Ns: 500 } }, series },
    { params: { map: 'lockfree', mix: 'churn', threads: 2 }, qps: 50e6 },
  ];
  const f = findingsOf('read-mostly', syntheticFile('read-mostly', cells));
  assert.match(f[0]!.text, /^get=99,update=1: lockfree leads at 80 Mops\/s; readmostly runs at 0.5× the leader/);
  assert.equal(f[1]!.value, 0.1);
  assert.equal(f[2]!.value, 0.5);
  assert.match(f[2]!.text, /allocates 0.5 times per op \(24 bytes\/op\)/);
  assert.equal(f[3]!.value, 50);
  // With each repeat's snapshot record: whether runs started promoted, and what promotion and copies cost.
  const doc = syntheticFile('read-mostly', cells);
  const snapshot = { dirtyAfterPrefill: false, promotionsAtPrefill: 1, promotions: 4, promotionMaxNs: 80, promotionTotalNs: 200, dirtyCopies: 4, dirtyCopyMaxNs: 9000, dirtyCopyTotalNs: 20000 };
  for (const c of doc.cells) if (c.status === 'ok' && c.params.map === 'readmostly') for (const r of c.repeats) r.snapshot = { ...snapshot };
  const g = findingsOf('read-mostly', doc);
  assert.match(g[2]!.text, /^readmostly: (\d+) of \1 runs started promoted/);
  assert.equal(g[2]!.value, 1);
  assert.match(g[3]!.text, /4 promotions and 4 dirty copies per run; the longest promotion held the mutex 80 ns, the longest copy of the snapshot into a new dirty map 9 µs/);
});

test('stepped: the knee is the first step that falls behind or whose p99 rises 10×', () => {
  const rates = [1e6, 2e6, 4e6, 8e6];
  const cell = (map: string, rate: number, achieved: number, p99: number) => ({
    params: { map, rate, threads: 2, mix: 'cart' }, qps: achieved, latency: { overall: { p99Ns: p99 } }, openLoop: true,
  });
  const cells = [
    ...rates.map((r) => cell('mutex', r, r <= 2e6 ? r : r * 0.5, 100)),
    ...rates.map((r) => cell('lockfree', r, r, r >= 8e6 ? 1100 : 100)),
    ...rates.map((r) => cell('sharded', r, r * 0.99, 100)),
  ];
  const doc = syntheticFile('stepped', cells);
  assert.deepEqual(kneeOf(doc, 'mutex')?.rate, 4e6);
  assert.deepEqual(kneeOf(doc, 'lockfree')?.rate, 8e6);
  assert.equal(kneeOf(doc, 'sharded'), null);
  const f = findingsOf('stepped', doc);
  assert.match(f[0]!.text, /^mutex: the knee is at 4 Mops\/s offered \(achieved 2 Mops\/s of 4 Mops\/s offered\)/);
  assert.match(f[1]!.text, /p99 1.1 µs, over 10× the first step's 100 ns/);
  assert.match(f[2]!.text, /^sharded: no knee up to 8 Mops\/s offered/);
  assert.equal(f[3]!.text, 'mutex: the most it achieved at any step is 4 Mops/s');
  assert.equal(f[5]!.value, 8e6 * 0.99);
});

test('stepped: missed ops are shown beside the achieved rate and in the knee', () => {
  // ops in the synthetic latency repeat: qps x 0.1 s; missed: the rest of rate x 0.1 s.
  const cell = (rate: number, achieved: number, withMissed = true) => ({
    params: { map: 'mutex', rate, threads: 2, mix: 'cart' }, qps: achieved, latency: { overall: { p99Ns: 100 } }, openLoop: true,
    ...(withMissed ? { missedOps: Math.round((rate - achieved) * 0.1) } : {}),
  });
  const doc = syntheticFile('stepped', [cell(1e6, 1e6), cell(4e6, 1e6)]);
  assert.equal(missedShareOf(findCell(doc, { map: 'mutex', rate: 1e6 })), 0);
  assert.equal(missedShareOf(findCell(doc, { map: 'mutex', rate: 4e6 })), 0.75);
  assert.match(kneeOf(doc, 'mutex')!.why, /achieved 1 Mops\/s of 4 Mops\/s offered, 75% of its ops missed/);
  const [table] = stepped.tables!(doc);
  const col = table!.columns.indexOf('missed');
  assert.ok(col > table!.columns.indexOf('achieved'));
  assert.deepEqual(table!.rows.map((r) => r[col]), ['0%', '75%']);
  // Files from before missed ops were counted: the column says so instead of 0%.
  const old = syntheticFile('stepped', [cell(1e6, 1e6, false)]);
  assert.equal(missedShareOf(findCell(old, { map: 'mutex', rate: 1e6 })), null);
  assert.equal(stepped.tables!(old)[0]!.rows[0]![col], 'n/a');
});

test('alloc: pooled against new/delete, allocations per op', () => {
  const cells = [1, 2].flatMap((threads) => [
    { params: { map: 'chained', mix: 'churn', threads }, qps: 10e6, allocationsPerOp: 0.5 },
    { params: { map: 'chained-pool', mix: 'churn', threads }, qps: 14.2e6, allocationsPerOp: 0 },
  ]);
  const f = findingsOf('alloc', syntheticFile('alloc', cells));
  assert.match(f[0]!.text, /^churn, 1 thread: pooled nodes 14.2 Mops\/s vs new\/delete 10 Mops\/s: \+42%/);
  assert.ok(Math.abs(f[0]!.value! - 1.42) < 1e-9);
  assert.match(f[2]!.text, /^chained under churn: 0.5 allocations/);
});

test('tombstones: the build-up, what it costs, and the cleanup', () => {
  const sample = (t: number, tombstones: number, rehashes: number, meanProbe: number, capacity = 2000) => ({
    tSeconds: t, entries: 500, capacity, tombstones, rehashes, loadFactor: 500 / capacity, meanProbe,
  });
  const samples = [sample(0.1, 0, 0, 1.5), sample(0.2, 600, 0, 2), sample(0.3, 10, 1, 1.2, 4000)];
  const series = { windowSeconds: 0.1, opsPerSec: [10e6, 5e6, 1e6, 8e6], maxLatencyNs: [null, null, null, null] };
  const f = findingsOf('tombstones', syntheticFile('tombstones', [{ params: { map: 'lockfree', mix: 'churn' }, samples, series }]));
  assert.equal(f[0]!.text, 'tombstones built up to 30% of the slots at 0.2 s, and the mean probe length of stored keys rose 1.5 → 2');
  assert.equal(f[0]!.value, 0.3);
  assert.equal(f[1]!.text, 'throughput fell from 10 Mops/s in the first 100 ms to 5 Mops/s just before the cleanup');
  assert.equal(f[1]!.value, 0.5);
  assert.match(f[2]!.text, /^1 migration\(s\) dropped the tombstones \(0.25% left, mean probe 1.2, capacity 2000 → 4000 slots\)/);
  assert.equal(f[2]!.value, 1);
  const none = findingsOf('tombstones', syntheticFile('tombstones', [{ params: { map: 'lockfree', mix: 'churn' }, samples: samples.slice(0, 2), series }]));
  assert.match(none[2]!.text, /^no cleanup happened/);
});

test('oversubscribe: throughput kept past the core count and the spin lock tail', () => {
  const cells = ['spin', 'mutex'].flatMap((map) =>
    [2, 8].map((threads) => ({
      params: { map, threads }, qps: map === 'spin' && threads === 8 ? 1e6 : 10e6,
      latency: { overall: { p999Ns: map === 'spin' && threads === 8 ? 1e6 : 1e4 } },
    })),
  );
  const f = findingsOf('oversubscribe', syntheticFile('oversubscribe', cells));
  assert.match(f[0]!.text, /^spin: 8 threads on 2 cores keep 0.1× the throughput of 2; p99.9 1 ms/);
  assert.equal(f[1]!.value, 1);
  assert.equal(f[2]!.value, 100);
});

test('grow: time to N keys from the windows\' key counts, and the side-by-side ratios', () => {
  // Each cell's map holds 1000 entries after prefill (the synthetic map record).
  const series = (added: number[]) => ({ windowSeconds: 0.01, opsPerSec: added.map(() => 1e6), netInserts: added, maxLatencyNs: added.map(() => null) });
  const cells = [
    { params: { map: 'lockfree', threads: 2 }, qps: 30e6, series: series([4e6, 4e6, 2e6, 1e6]) },
    { params: { map: 'mutex', threads: 2 }, qps: 10e6, series: series([999_000, 1000, 5e6, 3e6]) },
    { params: { map: 'lockfree-freeze', threads: 2 }, qps: 15e6, series: series([1e6, 1e6, 1e6, 1e6]) },
  ];
  const doc = syntheticFile('grow', cells);
  const grow = findScenario('grow')!;
  const f = grow.findings(doc);
  // lockfree: 1000 + 4e6 >= 1e6 after the first window; 1e7 after the third (1000 + 1e7).
  assert.match(f[0]!.text, /^lockfree, 2 threads: 30 Mops\/s over the whole run; 1M keys after 0\.01 s, 10M keys after 0\.03 s/);
  // mutex: 1000 + 999000 = 1e6 exactly at the end of the first window; 10M never (9.001e6 at the end).
  assert.match(f[1]!.text, /1M keys after 0\.01 s, 10M keys after not reached/);
  const byText = (re: RegExp) => f.find((x) => re.test(x.text));
  assert.equal(byText(/throughput is .* mutex's/)!.value, 3);
  assert.equal(byText(/throughput is .* lockfree-freeze's/)!.value, 2);
  assert.equal(byText(/vs mutex not reached/)!.value, null);
  assert.ok(byText(/vs lockfree-freeze/)!.value === null, 'freeze never reached 10M keys (4.001e6)');
});
