// tombstones: a long churn run on the lock-free table, its diagnostics read
// every 100 ms while it runs: live entries, tombstones (erased keys whose
// slots stay claimed), mean probe length, and throughput per 100 ms window.
// Keys are never removed from a lock-free table (erase empties the cell),
// so tombstones accumulate only while churn keeps claiming keys it has not
// seen: the run starts with a quarter of a 20M-key space inserted, in a
// table sized for all of it at load factor 0.9, and inserts and erases
// uniformly over the whole space. With --max-load-factor set the table
// migrates when claimed slots pass 0.75 of it, which drops the tombstones:
// the curves show the build-up and that cleanup.
import { findCell, type Finding, fmt, mops, type Scenario, type ScenarioChart } from '../../src/scenario.js';
import type { RepeatRecord } from '../../src/schema.js';

function firstRun(doc: Parameters<Scenario['findings']>[0]): RepeatRecord | undefined {
  return findCell(doc, { map: 'lockfree', mix: 'churn' })?.repeats.find((r) => r.samples?.length);
}

export const tombstones: Scenario = {
  name: 'tombstones',
  title: 'Tombstones over a long churn run',
  claim: 'Open addressing with tombstones degrades under churn: erased slots pile up and lookups probe further until the table is cleaned.',
  flags: {
    maps: 'lockfree',
    mix: 'churn',
    threads: '1',
    keys: '2e7',
    prefill: '0.25',
    loadFactors: '0.9',
    maxLoadFactor: '0.75',
    mode: 'throughput',
    stats: false,
    repeat: '1',
    duration: '5s',
    warmup: '0s',
    series: '100ms',
    sampleDiagnostics: '100ms',
  },
  smoke: { keys: '2e5', duration: '0.3s', series: '50ms', sampleDiagnostics: '50ms' },

  findings(doc) {
    const run = firstRun(doc);
    const s = run?.samples ?? [];
    if (!run || s.length < 2) return [{ text: 'no diagnostics samples in this file', value: null }];
    const share = (i: number) => s[i]!.tombstones / s[i]!.capacity;
    const last = s.length - 1;
    const ops = run.series?.opsPerSec ?? [];
    const out: Finding[] = [
      {
        text: `tombstones went from ${fmt(share(0) * 100)}% to ${fmt(share(last) * 100)}% of the slots over ${fmt(s[last]!.tSeconds)} s; mean probe length ${fmt(s[0]!.meanProbe)} → ${fmt(s[last]!.meanProbe)}`,
        value: share(last),
      },
      {
        text: `throughput in the first and last 100 ms windows: ${mops(ops[0] ?? null)} → ${mops(ops[ops.length - 1] ?? null)}`,
        value: ops.length ? ops[ops.length - 1]! / ops[0]! : null,
      },
      {
        text: s[last]!.rehashes > s[0]!.rehashes
          ? `the table cleaned itself ${s[last]!.rehashes - s[0]!.rehashes} time(s) during the run (rehashes that drop tombstones)`
          : 'no cleanup happened during the run: the design never drops tombstones while it runs; with a bounded key set, claimed slots stop growing once every key has been inserted once',
        value: s[last]!.rehashes - s[0]!.rehashes,
      },
    ];
    return out;
  },

  charts(doc): ScenarioChart[] {
    const run = firstRun(doc);
    const s = run?.samples ?? [];
    const series = run?.series;
    return [
      {
        id: 'tombstones-share', title: 'Tombstones and live entries, share of slots', kind: 'line', xLabel: 'seconds', yLabel: 'share of slots', xType: 'value',
        series: [
          { name: 'tombstones', points: s.map((x) => [Number(x.tSeconds.toFixed(3)), x.tombstones / x.capacity]) },
          { name: 'live entries', points: s.map((x) => [Number(x.tSeconds.toFixed(3)), x.entries / x.capacity]) },
        ],
      },
      {
        id: 'tombstones-probe', title: 'Mean probe length of stored keys', kind: 'line', xLabel: 'seconds', yLabel: 'probes', xType: 'value',
        series: [{ name: 'mean probe', points: s.map((x) => [Number(x.tSeconds.toFixed(3)), x.meanProbe]) }],
      },
      {
        id: 'tombstones-qps', title: 'Throughput per window', kind: 'line', xLabel: 'seconds', yLabel: 'ops/s', xType: 'value',
        series: [{
          name: 'lockfree',
          points: (series?.opsPerSec ?? []).map((y, i) => [Number(((i + 1) * series!.windowSeconds).toFixed(3)), y] as [number, number]),
        }],
      },
    ];
  },
};
