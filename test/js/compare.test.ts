// compare: the U test on known inputs, verdicts, matching, pivot mode,
// environment warnings, rendering, and the CLI's exit codes on the fixtures
// in fixtures/compare (named after the verdict they get against base.json).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  compareFiles,
  compareMaps,
  compareMetric,
  type CompareOptions,
  DEFAULT_OPTIONS,
  envDifferences,
  runDifferences,
  type MetricDiff,
  type NamedResult,
  type PairDiff,
} from '../../src/compare/diff.js';
import { parseResultText } from '../../src/result-files.js';
import { render } from '../../src/compare/render.js';
import { mannWhitneyU, minimumP, normalCdf, repeatsToReach } from '../../src/compare/utest.js';
import { Rng } from '../../src/rng.js';
import type { ResultFile } from '../../src/schema.js';
import { ENV, FIXTURE_DIR, FIXTURE_REPEATS, FIXTURES, fixtureText, JITTER, resultFile, series } from './fixtures/compare/make.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/compare.js');
const fixture = (name: string) => path.join(FIXTURE_DIR, name);
const compareCli = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
const named = (name: string): NamedResult => ({ name, doc: FIXTURES[name]!() as ResultFile });
const opts = (o: Partial<CompareOptions> = {}): CompareOptions => ({ ...DEFAULT_OPTIONS, ...o });
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

function metricOf(pair: PairDiff, map: string, threads: number, metric: string): MetricDiff {
  const c = pair.cells.find((x) => x.params.map === map && x.params.threads === threads);
  assert.ok(c, `no compared cell ${map} t=${threads}`);
  const m = c.metrics.find((x) => x.metric === metric);
  assert.ok(m, `no ${metric} in ${c.key}`);
  return m;
}

// ---- the U test ----------------------------------------------------------------

test('exact two-sided p-values match hand-computed ones', () => {
  // Fully separated: 2 / C(n1+n2, n1).
  close(mannWhitneyU([1, 2, 3], [4, 5, 6]).p, 2 / 20);
  close(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).p, 2 / 70);
  close(mannWhitneyU(range(1, 5), range(6, 5)).p, 2 / 252);
  // 3 vs 4 with U = 1: two of the 35 arrangements have U ≤ 1.
  const r = mannWhitneyU([1, 2, 4], [3, 5, 6, 7]);
  assert.equal(r.u, 1);
  assert.equal(r.method, 'exact');
  close(r.p, 4 / 35);
  // Interleaved 4 vs 4, U = 6: counts of U = 0..6 are 1,1,2,3,5,5,7 of 70.
  close(mannWhitneyU([1, 3, 5, 7], [2, 4, 6, 8]).p, 48 / 70);
  // A tie across the samples: midranks 1, 2, 3.5, 3.5, 5, 6; 2 of the 20 subsets reach R1 ≤ 6.5.
  const t = mannWhitneyU([1, 2, 3], [3, 4, 5]);
  assert.equal(t.u, 0.5);
  close(t.p, 2 * (2 / 20));
});

test('the p-value does not depend on which sample comes first or on order', () => {
  const x = [3.1, 2.7, 5.5, 4.0, 3.3];
  const y = [6.2, 4.4, 5.9, 7.1, 4.0, 6.6];
  close(mannWhitneyU(x, y).p, mannWhitneyU(y, x).p);
  close(mannWhitneyU(x, y).p, mannWhitneyU([...x].reverse(), [...y].reverse()).p);
});

test('identical and all-equal samples give p = 1', () => {
  assert.equal(mannWhitneyU([1, 2, 3, 4], [1, 2, 3, 4]).p, 1);
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5, 5]).p, 1);
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5, 5], { exactLimit: 0 }).p, 1);
});

test('the exact distribution equals brute-force enumeration, ties included', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 40; trial++) {
    const n1 = 1 + Math.floor(rng.next() * 5);
    const n2 = 1 + Math.floor(rng.next() * 5);
    // Values from a small set, so ties are common.
    const draw = () => Math.floor(rng.next() * 5);
    const x = Array.from({ length: n1 }, draw);
    const y = Array.from({ length: n2 }, draw);
    // Every way of splitting the pooled values into n1 and n2, by U.
    const pooled = [...x, ...y];
    const uOf = (a: number[], b: number[]) => a.reduce((s, v) => s + b.reduce((t, w) => t + (v > w ? 1 : v === w ? 0.5 : 0), 0), 0);
    const us: number[] = [];
    for (let mask = 0; mask < 1 << pooled.length; mask++) {
      let bits = 0;
      for (let i = 0; i < pooled.length; i++) if (mask & (1 << i)) bits++;
      if (bits !== n1) continue;
      us.push(uOf(pooled.filter((_, i) => mask & (1 << i)), pooled.filter((_, i) => !(mask & (1 << i)))));
    }
    const u = uOf(x, y);
    const below = us.filter((v) => v <= u + 1e-9).length / us.length;
    const above = us.filter((v) => v >= u - 1e-9).length / us.length;
    const r = mannWhitneyU(x, y);
    assert.equal(r.u, u);
    close(r.p, Math.min(1, 2 * Math.min(below, above)), 1e-12);
  }
});

test('normal approximation with continuity and tie correction matches hand-computed values', () => {
  // U = 0, μ = 12.5, σ² = 25·11/12: z = −12 / √(275/12).
  const a = mannWhitneyU(range(1, 5), range(6, 5), { exactLimit: 0 });
  assert.equal(a.method, 'normal');
  close(a.p, 2 * normalCdf(-12 / Math.sqrt(275 / 12)), 1e-12);
  close(a.p, 0.0121857803553448, 1e-6);
  // Ties {1,1}, {2,2,2}, {3,3,3}: Σ(t³ − t) = 54, σ² = 16/12 · (9 − 54/56), U = 1, z = −6.5/σ.
  const b = mannWhitneyU([1, 1, 2, 2], [2, 3, 3, 3], { exactLimit: 0 });
  close(b.p, 2 * normalCdf(-6.5 / Math.sqrt((16 / 12) * (9 - 54 / 56))), 1e-12);
  close(b.p, 0.0470574462821729, 1e-6);
});

test('large samples use the normal approximation, which agrees with the exact test', () => {
  assert.equal(mannWhitneyU(range(0, 60), range(5, 60)).method, 'normal');
  const x = range(0, 30);
  const y = range(5, 30);
  const exact = mannWhitneyU(x, y);
  assert.equal(exact.method, 'exact');
  const approx = mannWhitneyU(x, y, { exactLimit: 0 });
  assert.ok(Math.abs(exact.p - approx.p) < 0.01, `exact ${exact.p} vs normal ${approx.p}`);
});

test('minimumP: 3 vs 3 cannot reach 0.05, 4 vs 4 can', () => {
  close(minimumP(3, 3), 0.1);
  close(minimumP(4, 4), 2 / 70);
  close(minimumP(3, 5), 2 / 56);
  assert.equal(minimumP(1, 1), 1);
});

// ---- verdicts ------------------------------------------------------------------

const tp = (values: number[]) => ({ values, pass: 'throughput' as const });

test('identical samples are "~"', () => {
  const m = compareMetric('qps', tp(series(1e7)), tp(series(1e7)), opts());
  assert.equal(m.verdict, 'same');
  assert.equal(m.reason, 'not-significant');
  assert.equal(m.p, 1);
  assert.equal(m.deltaPct, 0);
});

test('clearly shifted samples, 8 vs 8, are significant with the right sign', () => {
  const up = compareMetric('qps', tp(series(1e7)), tp(series(1.2e7)), opts());
  assert.equal(up.verdict, 'better');
  assert.equal(up.reason, 'significant');
  close(up.deltaPct!, 20);
  close(up.p, 2 / 12870);
  const down = compareMetric('qps', tp(series(1e7)), tp(series(0.8e7)), opts());
  assert.equal(down.verdict, 'worse');
  close(down.deltaPct!, -20);
  // For latency, higher is worse.
  const p99 = compareMetric('p99', { values: series(100), pass: 'latency' }, { values: series(130), pass: 'latency' }, opts());
  assert.equal(p99.verdict, 'worse');
  assert.ok(p99.deltaPct! > 0);
});

test('3 vs 3, however far apart, is inconclusive, never "~"', () => {
  const m = compareMetric('qps', tp(series(1e7, 3)), tp(series(0.5e7, 3)), opts());
  close(m.p, 0.1);
  assert.equal(m.verdict, 'inconclusive');
  assert.equal(m.reason, 'too-few-repeats');
  assert.equal(m.regression, false);
  // A looser alpha makes the same data significant.
  assert.equal(compareMetric('qps', tp(series(1e7, 3)), tp(series(2e7, 3)), opts({ alpha: 0.2 })).verdict, 'better');
  // 3 vs 6 can reach 2/84 < 0.05: an overlap there is a real "~".
  assert.equal(compareMetric('qps', tp(series(1e7, 3)), tp(series(1e7, 6)), opts()).verdict, 'same');
});

test('the repeats needed to reach alpha are computed, not assumed', () => {
  assert.equal(repeatsToReach(0.05), 4);
  assert.equal(repeatsToReach(0.01), 5);
  assert.equal(repeatsToReach(0.2), 3);
  assert.equal(repeatsToReach(0.001), 7);
  for (const alpha of [0.2, 0.05, 0.01, 0.001]) {
    const n = repeatsToReach(alpha);
    assert.ok(minimumP(n, n) < alpha && minimumP(n - 1, n - 1) >= alpha, `alpha ${alpha}`);
  }
});

test('inconclusive comparisons are said on every row and in the summary, with or without a threshold', () => {
  const pair = [named('three-repeats-base.json'), named('three-repeats-slower.json')];
  const gated = compareFiles(pair, opts({ failOnRegressionPct: 5 }));
  assert.equal(gated.regressions.length, 0);
  assert.equal(gated.inconclusive.length, 8, 'every cell, both metrics');
  assert.deepEqual(gated.inconclusive[0]!.n, [3, 3]);
  assert.equal(gated.repeatsNeeded, 4);
  const text = render(gated, 'table');
  const rows = text.split('\n').filter((l) => /map=(mutex|lockfree) threads=/.test(l));
  assert.equal(rows.length, 8);
  for (const r of rows) assert.match(r, /inconclusive: 3\+3 repeats cannot reach p<0\.05 \(p=/);
  assert.doesNotMatch(text, /~ \(/);
  assert.match(text, /^warning: inconclusive: 3\+3 repeats cannot reach p<0\.05; use --repeat 4 or more on both sides \(8 comparisons of 8: a regression beyond 5% cannot be ruled out there\)$/m);
  assert.doesNotMatch(text, /no significant regression/, 'nothing was ruled out');
  assert.match(render(gated, 'markdown'), /\*\*warning:\*\* inconclusive: 3\+3 repeats/);
  assert.match(render(compareFiles(pair, opts()), 'table'), /^warning: inconclusive: 3\+3 repeats cannot reach p<0\.05; use --repeat 4 or more on both sides \(8 comparisons of 8: no verdict either way\)$/m);
  // Conclusive files say nothing of it.
  const conclusive = render(compareFiles([named('base.json'), named('same.json')], opts({ failOnRegressionPct: 5 })), 'table');
  assert.doesNotMatch(conclusive, /inconclusive/);
  assert.match(conclusive, /^no significant regression beyond 5%$/m);
});

test('a side with runs kept over --max-skew is marked on its rows and in the summary', () => {
  const base = resultFile([{ map: 'mutex', threads: 1, qps: series(1e7, 6), p99: series(100, 6) }, { map: 'lockfree', threads: 1, qps: series(2e7, 6), p99: series(80, 6) }]);
  const next = resultFile([
    { map: 'mutex', threads: 1, qps: series(1e7, 6, 0.0025), p99: series(100, 6, 0.0025), unreliable: ['throughput'] },
    { map: 'lockfree', threads: 1, qps: series(2e7, 6, 0.0025), p99: series(80, 6, 0.0025) },
  ]);
  const d = compareFiles([{ name: 'a.json', doc: base }, { name: 'b.json', doc: next }], opts());
  assert.deepEqual(metricOf(d.pairs[0]!, 'mutex', 1, 'qps').unreliable, ['new']);
  assert.deepEqual(metricOf(d.pairs[0]!, 'mutex', 1, 'p99').unreliable, [], 'its latency pass measured together');
  assert.deepEqual(metricOf(d.pairs[0]!, 'lockfree', 1, 'qps').unreliable, []);
  assert.deepEqual(d.unreliable.map((u) => [u.metric, u.sides]), [['qps', ['new']]]);
  const text = render(d, 'table');
  assert.match(text, /map=mutex[^\n]*~ \(p=[^\n]*; new unreliable\)/);
  assert.doesNotMatch(text, /map=lockfree[^\n]*unreliable/);
  assert.match(text, /throughput from unreliable runs \(threads measured further apart than --max-skew, reruns included\) — 1 cell:\n {2}map=mutex \(new\)/);
  assert.match(text, /^warning: 1 comparison read figures from unreliable runs/m);
  const both = compareFiles([{ name: 'b.json', doc: next }, { name: 'b2.json', doc: next }], opts());
  assert.match(render(both, 'table'), /; both sides unreliable\)/);
});

test('a significant change smaller than the noise floor is "~"', () => {
  const base = JITTER.map((j) => 1e7 * (1 + j / 100));
  const next = base.map((v) => v * 1.005);
  const m = compareMetric('qps', tp(base), tp(next), opts());
  assert.ok(m.p < 0.05);
  assert.equal(m.verdict, 'same');
  assert.equal(m.reason, 'below-noise');
  assert.equal(compareMetric('qps', tp(base), tp(next), opts({ noisePct: 0.1 })).verdict, 'better');
});

test('a metric rising from zero has no finite delta and still counts as worse', () => {
  const m = compareMetric('allocs', tp([0, 0, 0, 0, 0]), tp([0.5, 0.5, 0.5, 0.5, 0.5]), opts({ failOnRegressionPct: 50 }));
  assert.equal(m.deltaPct, null);
  assert.equal(m.verdict, 'worse');
  assert.equal(m.regression, true);
});

test('a regression needs significance and a change beyond the threshold', () => {
  const base = tp(series(1e7));
  assert.equal(compareMetric('qps', base, tp(series(0.9e7)), opts({ failOnRegressionPct: 5 })).regression, true);
  assert.equal(compareMetric('qps', base, tp(series(0.9e7)), opts({ failOnRegressionPct: 15 })).regression, false);
  assert.equal(compareMetric('qps', base, tp(series(0.9e7)), opts()).regression, false, 'no threshold, no regression');
  assert.equal(compareMetric('qps', base, tp(series(1.2e7)), opts({ failOnRegressionPct: 5 })).regression, false, 'improvements are not regressions');
  assert.equal(compareMetric('qps', tp(series(1e7, 3)), tp(series(0.5e7, 3)), opts({ failOnRegressionPct: 5 })).regression, false, 'not significant');
});

// ---- files -------------------------------------------------------------------

test('same.json: every cell matched, every metric "~"', () => {
  const d = compareFiles([named('base.json'), named('same.json')], opts({ metrics: ['qps', 'p99', 'allocs'] }));
  assert.equal(d.pairs.length, 1);
  const pair = d.pairs[0]!;
  assert.equal(pair.cells.length, 4);
  assert.deepEqual([pair.onlyInBase, pair.onlyInNew, pair.notCompared], [[], [], []]);
  for (const c of pair.cells) {
    assert.deepEqual(c.metrics.map((m) => m.metric), ['qps', 'p99', 'allocs']);
    for (const m of c.metrics) {
      assert.equal(m.verdict, 'same', `${c.key} ${m.metric}`);
      assert.deepEqual([m.base.n, m.new.n], [FIXTURE_REPEATS, FIXTURE_REPEATS]);
    }
  }
  assert.deepEqual(pair.envDifferences, [], 'TSC 0.05% apart is the same clock');
  close(pair.geomeans.find((g) => g.metric === 'qps')!.deltaPct!, (1 / 0.9975 - 1) * 100, 1e-3);
  assert.equal(pair.geomeans.find((g) => g.metric === 'allocs')!.base, null, 'no geomean of zeros');
});

test('faster.json: lockfree better in throughput and p99, mutex "~", geomean over both', () => {
  const pair = compareFiles([named('base.json'), named('faster.json')], opts()).pairs[0]!;
  for (const t of [1, 2]) {
    const q = metricOf(pair, 'lockfree', t, 'qps');
    assert.equal(q.verdict, 'better');
    close(q.deltaPct!, (1.25 / 0.9975 - 1) * 100, 1e-3);
    const l = metricOf(pair, 'lockfree', t, 'p99');
    assert.equal(l.verdict, 'better');
    assert.ok(l.deltaPct! < -19);
    assert.equal(metricOf(pair, 'mutex', t, 'qps').verdict, 'same');
  }
  const g = pair.geomeans.find((x) => x.metric === 'qps')!;
  assert.equal(g.cells, 4);
  close(g.deltaPct!, (Math.sqrt(1.25) / 0.9975 - 1) * 100, 1e-3);
});

test('slower.json: lockfree worse; a regression only past the threshold', () => {
  const d = compareFiles([named('base.json'), named('slower.json')], opts({ metrics: ['qps', 'p99', 'allocs'], failOnRegressionPct: 5 }));
  const pair = d.pairs[0]!;
  assert.equal(metricOf(pair, 'lockfree', 1, 'qps').verdict, 'worse');
  assert.equal(metricOf(pair, 'lockfree', 1, 'p99').verdict, 'worse');
  assert.equal(metricOf(pair, 'lockfree', 1, 'allocs').deltaPct, null);
  assert.deepEqual(
    d.regressions.map((r) => `${r.key.split('|').slice(0, 2).join('|')} ${r.metric}`).sort(),
    ['map=lockfree|threads=1 allocs', 'map=lockfree|threads=1 p99', 'map=lockfree|threads=1 qps',
      'map=lockfree|threads=2 allocs', 'map=lockfree|threads=2 p99', 'map=lockfree|threads=2 qps'],
  );
  assert.deepEqual(compareFiles([named('base.json'), named('slower.json')], opts({ failOnRegressionPct: 15 })).regressions, []);
});

test('unmatched.json: cells on one side only and failed cells are listed, not dropped', () => {
  const pair = compareFiles([named('base.json'), named('unmatched.json')], opts()).pairs[0]!;
  assert.deepEqual(pair.cells.map((c) => c.key.split('|').slice(0, 2).join('|')), ['map=mutex|threads=1', 'map=lockfree|threads=1']);
  assert.deepEqual(pair.onlyInBase.map((c) => [c.params.map, c.params.threads]), [['lockfree', 2]]);
  assert.deepEqual(pair.onlyInNew.map((c) => [c.params.map, c.params.threads]), [['lockfree', 4]]);
  assert.equal(pair.notCompared.length, 1);
  assert.equal(pair.notCompared[0]!.base.status, 'ok');
  assert.equal(pair.notCompared[0]!.new.status, 'failed');
  assert.equal(pair.new.status, 'interrupted');
  const text = render(compareFiles([named('base.json'), named('unmatched.json')], opts()), 'table');
  assert.match(text, /only in base \(base\.json\) — 1 cell:/);
  assert.match(text, /only in new \(unmatched\.json\) — 1 cell:/);
  assert.match(text, /map=lockfree threads=4/);
  assert.match(text, /new: failed: fixture: failed/);
  assert.match(text, /warning: unmatched\.json is interrupted/);
});

test('a metric missing from a cell is skipped for it and reported', () => {
  const noLatency = resultFile([{ map: 'mutex', threads: 1, qps: series(2e7) }, { map: 'lockfree', threads: 1, qps: series(4e7), p99: series(100) }]);
  const withLatency = resultFile([{ map: 'mutex', threads: 1, qps: series(2e7), p99: series(300) }, { map: 'lockfree', threads: 1, qps: series(4e7), p99: series(100) }]);
  const d = compareFiles([{ name: 'a.json', doc: noLatency }, { name: 'b.json', doc: withLatency }], opts());
  const mutex = d.pairs[0]!.cells.find((c) => c.params.map === 'mutex')!;
  assert.deepEqual(mutex.metrics.map((m) => m.metric), ['qps']);
  assert.deepEqual(mutex.missing, [{ metric: 'p99', side: 'base' }]);
  assert.match(render(d, 'table'), /p99 latency is on one side only — 1 cell:\n  map=mutex \(missing in base\)/);

  const none = compareFiles([{ name: 'a.json', doc: noLatency }, { name: 'a.json', doc: noLatency }], opts({ metrics: ['p99'] }));
  assert.deepEqual(none.pairs[0]!.cells.find((c) => c.params.map === 'mutex')!.missing, [{ metric: 'p99', side: 'both' }]);
});

test('qps falls back to the latency pass when a cell ran no throughput pass', () => {
  const latencyOnly = resultFile([{ map: 'mutex', threads: 1, p99: series(300) }]);
  const d = compareFiles([{ name: 'a', doc: latencyOnly }, { name: 'b', doc: latencyOnly }], opts());
  const m = d.pairs[0]!.cells[0]!.metrics.find((x) => x.metric === 'qps')!;
  assert.equal(m.base.pass, 'latency');
  assert.equal(m.base.n, JITTER.length);
});

test('more than two files: each is compared against the first', () => {
  const d = compareFiles([named('base.json'), named('same.json'), named('faster.json')], opts());
  assert.deepEqual(d.pairs.map((p) => [p.base.name, p.new.name]), [['base.json', 'same.json'], ['base.json', 'faster.json']]);
  assert.equal(metricOf(d.pairs[0]!, 'lockfree', 1, 'qps').verdict, 'same');
  assert.equal(metricOf(d.pairs[1]!, 'lockfree', 1, 'qps').verdict, 'better');
});

test('environment differences that move figures are reported; a TSC within 0.1% is not', () => {
  const d = envDifferences(ENV, named('other-machine.json').doc.environment);
  assert.deepEqual(d.map((x) => x.field), ['cpuModel', 'logicalCores', 'node', 'build.compiler', 'build.flags', 'build.marchNative', 'tscHz']);
  assert.deepEqual(d[0], { field: 'cpuModel', base: ENV.cpuModel, new: 'Other CPU @ 2.0GHz', moves: true });
  assert.equal(d.find((x) => x.field === 'node')?.moves, false);
  assert.deepEqual(envDifferences(ENV, { ...ENV, tscHz: ENV.tscHz * 1.0009 }), []);
  assert.equal(envDifferences(ENV, { ...ENV, tscHz: ENV.tscHz * 1.0011 }).length, 1);
  assert.deepEqual(envDifferences(ENV, { ...ENV, hostname: 'elsewhere', loadAverage: [3, 2, 1] }), [], 'host name and load are not the build');
  const text = render(compareFiles([named('base.json'), named('other-machine.json')], opts()), 'table');
  assert.match(text, /warning: the two files come from different environments/);
  assert.match(text, /cpuModel: Fixture CPU @ 3\.0GHz → Other CPU @ 2\.0GHz/);
});

// ---- pivot ---------------------------------------------------------------------

test('pivot: every map against the baseline, joining cells equal in all but the map', () => {
  const doc = resultFile([
    { map: 'mutex', threads: 1, qps: series(2e7) },
    { map: 'mutex', threads: 2, qps: series(1.2e7) },
    { map: 'lockfree', threads: 1, qps: series(4e7) },
    { map: 'lockfree', threads: 2, qps: series(7.5e7) },
    { map: 'sharded', threads: 1, shards: 64, qps: series(2e7, JITTER.length, 0.0025) },
    { map: 'sharded', threads: 4, shards: 64, qps: series(9e7) },
  ]);
  const d = compareMaps({ name: 'r.json', doc }, 'mutex', opts({ metrics: ['qps'] }));
  assert.equal(d.mode, 'pivot');
  assert.deepEqual(d.pairs.map((p) => [p.base.map, p.new.map]), [['mutex', 'lockfree'], ['mutex', 'sharded']]);
  const [lockfree, sharded] = d.pairs as [PairDiff, PairDiff];
  assert.equal(lockfree.cells.length, 2);
  for (const c of lockfree.cells) {
    assert.equal(c.metrics[0]!.verdict, 'better');
    assert.ok(!c.key.includes('map='), c.key);
    assert.equal(c.baseKey.split('|')[0], 'map=mutex');
    assert.equal(c.newKey.split('|')[0], 'map=lockfree');
  }
  // sharded (shards=64) still meets mutex (shards=-): shards belong to the map.
  assert.equal(sharded.cells.length, 1);
  assert.equal(sharded.cells[0]!.metrics[0]!.verdict, 'same');
  assert.deepEqual(sharded.onlyInBase.map((c) => c.params.threads), [2]);
  assert.deepEqual(sharded.onlyInNew.map((c) => c.params.threads), [4]);
  assert.deepEqual(lockfree.envDifferences, []);

  const other = compareMaps({ name: 'r.json', doc }, 'lockfree', opts({ metrics: ['qps'] }));
  assert.equal(metricOf(other.pairs[0]!, 'mutex', 1, 'qps').verdict, 'worse');
  const text = render(d, 'table');
  assert.match(text, /== lockfree vs mutex \(r\.json\) ==/);
  assert.match(text, /mutex Mops\/s/);
});

// ---- rendering -------------------------------------------------------------------

test('renderers: table and markdown show verdicts and geomeans; json is the diff', () => {
  const d = compareFiles([named('base.json'), named('faster.json')], opts());
  const table = render(d, 'table');
  assert.match(table, /\+25\.31% better \(p=0\.002 n=6\+6\)/);
  assert.match(table, /~ \(p=0\.\d{3} n=6\+6\)/);
  assert.match(table, /geomean/);
  assert.match(table, /cells: cpus=- lf=0\.5 keys=1000 mix=C dist=uniform shards=-/);
  const md = render(d, 'markdown');
  assert.match(md, /^## faster\.json vs base\.json/);
  assert.match(md, /\| cell \| base Mops\/s \| ± \| new Mops\/s \| ± \| delta \| verdict \|/);
  assert.deepEqual(JSON.parse(render(d, 'json')), JSON.parse(JSON.stringify(d)));
});

test('the markdown of faster.json against base.json matches the golden file', () => {
  assert.equal(fs.readFileSync(fixture('expected/faster.md'), 'utf8'), fixtureText('expected/faster.md'));
});

test('the fixture files are what make.ts builds (regenerate with make.js --write)', () => {
  for (const name of Object.keys(FIXTURES)) {
    assert.equal(fs.readFileSync(fixture(name), 'utf8'), fixtureText(name), name);
  }
});

// ---- loading ---------------------------------------------------------------------

test('every bad input becomes one line naming the file', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^x\.json is empty$/],
    ['  \n', /^x\.json is empty$/],
    ['{"schemaVersion": 1, "kind": "mapbench.resu', /^x\.json is truncated/],
    ['{"a": [1, 2', /^x\.json is truncated/],
    ['{"a": 1,,}', /^x\.json is not valid JSON: /],
    ['{\n  "a": [1,,2]\n}\n', /^x\.json is not valid JSON: /],
    ['[1, 2, 3]', /^x\.json is not a mapbench result file$/],
    ['{"kind": "mapbench.results", "schemaVersion": 99}', /^x\.json has schema version 99, newer than this mapbench \(reads 1, 2, 3\): update mapbench$/],
    ['{"kind": "mapbench.results", "schemaVersion": 0}', /^x\.json has schema version 0; this mapbench reads versions 1, 2, 3$/],
    ['{"kind": "mapbench.results", "schemaVersion": 2}', /^x\.json does not match the results schema at /],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseResultText(text, 'x.json'), (e: Error) => {
      assert.equal(e.name, 'UsageError');
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'));
      return true;
    }, JSON.stringify(text));
  }
});

// ---- the CLI -----------------------------------------------------------------------

test('cli: base vs same prints "~" and exits 0', () => {
  const r = compareCli([fixture('base.json'), fixture('same.json')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /~ \(p=/);
  assert.doesNotMatch(r.stdout, /% (better|worse) \(/);
});

test('cli: --fail-on-regression exits 1 only for a significant regression beyond the threshold', () => {
  const slower = [fixture('base.json'), fixture('slower.json')];
  assert.equal(compareCli(slower).status, 0, 'no threshold: report only');
  const five = compareCli([...slower, '--fail-on-regression', '5%']);
  assert.equal(five.status, 1, five.stderr);
  assert.match(five.stdout, /significant regressions beyond 5% — 4:/);
  const fifteen = compareCli([...slower, '--fail-on-regression', '15%']);
  assert.equal(fifteen.status, 0, fifteen.stderr);
  assert.match(fifteen.stdout, /no significant regression beyond 15%/);
  // Allocations rising from zero are a regression at any threshold.
  assert.equal(compareCli([...slower, '--metric', 'qps,allocs', '--fail-on-regression', '15']).status, 1);
  assert.equal(compareCli([fixture('base.json'), fixture('faster.json'), '--fail-on-regression', '1%']).status, 0, 'faster is no regression');
});

test('cli: --fail-on-regression exits 3 when a gated comparison cannot reach --alpha; a regression still exits 1', () => {
  // A 50% drop seen in 3 + 3 repeats: undecidable, so never a silent pass.
  const halved = compareCli([fixture('three-repeats-base.json'), fixture('three-repeats-slower.json'), '--fail-on-regression', '5%']);
  assert.equal(halved.status, 3, halved.stderr);
  assert.equal(halved.stderr, '');
  assert.match(halved.stdout, /inconclusive: 3\+3 repeats cannot reach p<0\.05; use --repeat 4 or more/);
  assert.doesNotMatch(halved.stdout, /no significant regression/);
  assert.equal(compareCli([fixture('three-repeats-base.json'), fixture('three-repeats-faster.json'), '--fail-on-regression', '1%']).status, 3);
  assert.equal(compareCli([fixture('three-repeats-base.json'), fixture('three-repeats-slower.json')]).status, 0, 'no threshold: report only');
  // At alpha 0.01, 6 + 3 repeats cannot decide while 6 + 6 finds slower's regression: the regression decides the code.
  const mixed = compareCli([fixture('base.json'), fixture('slower.json'), fixture('three-repeats-faster.json'), '--alpha', '0.01', '--fail-on-regression', '5%']);
  assert.equal(mixed.status, 1, mixed.stderr);
  assert.match(mixed.stdout, /inconclusive: 6\+3 repeats cannot reach p<0\.01; use --repeat 5 or more/);
  assert.match(mixed.stdout, /significant regressions beyond 5% — 4:/);
});

test('cli: more than two files, --format json and markdown, --pivot map', () => {
  const multi = compareCli([fixture('base.json'), fixture('same.json'), fixture('faster.json')]);
  assert.equal(multi.status, 0, multi.stderr);
  assert.match(multi.stdout, /same\.json vs .*base\.json/);
  assert.match(multi.stdout, /faster\.json vs .*base\.json/);

  const json = compareCli([fixture('base.json'), fixture('faster.json'), '--format', 'json', '--metric', 'qps,p99,allocs']);
  assert.equal(json.status, 0, json.stderr);
  const d = JSON.parse(json.stdout) as { kind: string; options: CompareOptions; pairs: unknown[] };
  assert.equal(d.kind, 'mapbench.compare');
  assert.deepEqual(d.options, { metrics: ['qps', 'p99', 'allocs'], alpha: 0.05, noisePct: 1, failOnRegressionPct: null });

  const md = compareCli([fixture('base.json'), fixture('faster.json'), '--format', 'markdown', '--alpha', '0.01', '--noise', '2%']);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^## /);

  const pivot = compareCli([fixture('base.json'), '--pivot', 'map', '--baseline', 'lockfree']);
  assert.equal(pivot.status, 0, pivot.stderr);
  assert.match(pivot.stdout, /== mutex vs lockfree/);
  assert.match(pivot.stdout, /worse/);
  assert.equal(compareCli([fixture('base.json'), '--pivot', 'map']).status, 0, 'baseline mutex by default');
});

const badInputs: Array<[string[], RegExp]> = [
  [[fixture('bad/empty.json')], /bad\/empty\.json is empty$/],
  [[fixture('bad/truncated.json')], /bad\/truncated\.json is truncated/],
  [[fixture('bad/corrupt.json')], /bad\/corrupt\.json is not valid JSON/],
  [[fixture('bad/not-mapbench.json')], /not a mapbench result file/],
  [[fixture('bad/schema-v99.json')], /has schema version 99, newer than this mapbench/],
  [[fixture('bad/schema-mismatch.json')], /does not match the results schema at cells\.0\.params\.threads/],
  [[path.join(os.tmpdir(), 'mapbench-no-such-file.json')], /cannot read .*mapbench-no-such-file\.json: no such file/],
  [[FIXTURE_DIR], /cannot read .*: it is a directory/],
];

for (const [files, message] of badInputs) {
  test(`cli: bad input ${path.basename(files[0]!)}: one line, exit 2, no stack`, () => {
    for (const args of [[fixture('base.json'), ...files], [...files, fixture('base.json')]]) {
      const r = compareCli(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^mapbench compare: error: /);
      assert.match(lines[0]!, message);
    }
  });
}

const badFlags: Array<[string[], RegExp]> = [
  [['--metric', 'qps,bogus'], /unknown metric 'bogus' in --metric/],
  [['--metric', ','], /--metric needs at least one metric/],
  [['--alpha', '1.5'], /--alpha must be in \(0, 1\)/],
  [['--alpha', 'x'], /--alpha must be in \(0, 1\)/],
  [['--noise', 'lots'], /--noise must be a non-negative percentage/],
  [['--fail-on-regression', '-5%'], /--fail-on-regression must be a non-negative percentage/],
  [['--format', 'xml'], /argument 'xml' is invalid/],
  [['--pivot', 'threads'], /argument 'threads' is invalid/],
  [['--bogus'], /unknown option '--bogus'/],
  [['--alpha'], /argument missing/],
  [['--baseline', 'lockfree'], /--baseline only applies with --pivot map/],
];

for (const [flags, message] of badFlags) {
  test(`cli: bad flags ${flags.join(' ')}: one line, exit 2`, () => {
    const r = compareCli([fixture('base.json'), fixture('same.json'), ...flags]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^mapbench compare: error: /);
    assert.match(lines[0]!, message);
  });
}

test('cli: wrong number of files, unknown baseline: one line, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /missing required argument 'files'/],
    [[fixture('base.json')], /give at least two result files/],
    [[fixture('base.json'), fixture('same.json'), '--pivot', 'map'], /--pivot map compares the maps inside one file; got 2 files/],
    [[fixture('base.json'), '--pivot', 'map', '--baseline', 'nope'], /--baseline nope: no such map in .*base\.json \(its maps: mutex, lockfree\)/],
  ];
  for (const [args, message] of cases) {
    const r = compareCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('cli: --help exits 0 and documents every flag', () => {
  const r = compareCli(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--metric', '--alpha', '--noise', '--fail-on-regression', '--format', '--pivot', '--baseline']) assert.ok(r.stdout.includes(flag), flag);
});

test('the environment header: the same, harmless differences, or a warning naming what can move the figures', () => {
  const header = (doc: ResultFile) => render(compareFiles([named('base.json'), { name: 'new.json', doc }], opts()), 'table').split('\n').slice(0, 12).join('\n');
  assert.match(header(named('same.json').doc), /^environment: the same \(cpuModel, logicalCores, kernel, build\.transparentHugePages, node, build\.compiler, build\.flags, build\.buildSystem, build\.pad, build\.marchNative, build\.debug, git\.dirty, tscHz, config\.hugePages, stream\.coverage\)$/m);

  // Kernel, Node, build system and a dirty tree alone: listed, no warning.
  const harmless = resultFile([{ map: 'mutex', threads: 1, qps: series(20e6, 6) }], {
    env: { kernel: '6.12', node: 'v22.1.0', git: { commit: ENV.git.commit, dirty: true }, build: { buildSystem: 'cmake-js' } },
  });
  const h = header(harmless);
  assert.doesNotMatch(h, /warning/);
  assert.match(h, /environment differences \(none of them moves the figures by itself\)/);
  for (const line of ['kernel: 6.1 → 6.12', 'node: v20.20.2 → v22.1.0', 'build.buildSystem: node-gyp → cmake-js', 'git.dirty: false → true']) assert.ok(h.includes(line), line);

  // THP mode and the huge-page policy: a warning that names them.
  const thp = resultFile([{ map: 'mutex', threads: 1, qps: series(20e6, 6) }], { env: { build: { transparentHugePages: 'never' } } });
  thp.config.hugePages = false;
  const t = header(thp);
  assert.match(t, /warning: the two files come from different environments; build\.transparentHugePages, config\.hugePages can move the figures/);
  assert.match(t, /build\.transparentHugePages: madvise → never \(can move the figures\)/);
  assert.match(t, /config\.hugePages: on → off \(can move the figures\)/);

  // CPU and flags, from another machine.
  assert.match(header(named('other-machine.json').doc), /cpuModel, logicalCores, build\.compiler, build\.flags, build\.marchNative, tscHz can move the figures/);
});

test('stream coverage: cells touching another share of their keys are a difference that moves the figures', () => {
  const withCoverage = (coverage: number) => {
    const doc = resultFile([{ map: 'mutex', threads: 1, qps: series(20e6, 6) }]);
    for (const c of doc.cells) {
      if (c.status === 'ok') c.stream = { opsPerThread: 4096, idealOpsPerThread: 4096, given: false, budgetCapped: coverage < 0.9, distinctKeys: Math.round(coverage * 1000), distinctMissKeys: 0, coverage, expectedCoverageAtIdeal: 0.98 };
    }
    return doc;
  };
  assert.deepEqual(runDifferences(withCoverage(0.982), withCoverage(0.981)), []);
  assert.deepEqual(runDifferences(withCoverage(0.982), withCoverage(0.5)), [
    { field: 'stream.coverage', base: '98.2% of keys (median cell)', new: '50.0% of keys (median cell)', moves: true },
  ]);
  const old = resultFile([{ map: 'mutex', threads: 1, qps: series(20e6, 6) }]);
  assert.equal(runDifferences(old, withCoverage(0.98))[0]?.moves, false, 'a file without coverage records cannot say');
});
