// tombstones: a long churn run on the lock-free table, its diagnostics read
// every 100 ms while it runs: live entries, tombstones (erased keys whose
// slots stay claimed), mean probe length, and throughput per 100 ms window.
// Keys are never removed from a lock-free table (erase empties the cell),
// so tombstones accumulate only while churn keeps claiming keys it has not
// seen: the run starts with a quarter of a 20M-key space inserted into a
// table of 2^24 slots, and inserts and erases uniformly over the whole
// space. Started with --initial-capacity the table grows online, migrating
// when claimed slots (live + tombstones) pass 0.75 of it; a migration drops
// the tombstones: the curves show the build-up and that cleanup.
import { findCell, fmt, mops, nsText, type Scenario, type ScenarioChart } from './scenario.js';
import type { DiagnosticSample, RepeatRecord } from '../schema.js';

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
    loadFactors: '0.5',
    initialCapacity: String(2 ** 24),
    // The replayed stream must itself reach far into the key space (a short
    // one would churn the same few hundred thousand keys forever and claim
    // nothing new): the default length draws 4 ops per key, 8e7 ops here.
    mode: 'throughput',
    stats: false,
    repeat: '1',
    duration: '8s',
    warmup: '0s',
    series: '100ms',
    sampleDiagnostics: '100ms',
  },
  smoke: { keys: '2e5', initialCapacity: String(2 ** 17), duration: '0.3s', series: '50ms', sampleDiagnostics: '50ms' },

  findings(doc) {
    const run = firstRun(doc);
    const s = run?.samples ?? [];
    if (!run || s.length < 2) return [{ text: 'no diagnostics samples in this file', value: null }];
    const share = (x: DiagnosticSample) => x.tombstones / x.capacity;
    const peak = s.reduce((a, b) => (share(b) > share(a) ? b : a));
    const last = s[s.length - 1]!;
    const ops = run.series?.opsPerSec ?? [];
    // The last window before throughput collapses (a migration: writers
    // wait), or the last window when it never does.
    const collapse = ops.findIndex((x, i) => i > 0 && x < 0.25 * ops[i - 1]!);
    const before = collapse > 0 ? ops[collapse - 1]! : (ops[ops.length - 1] ?? null);
    const cleanups = last.rehashes - s[0]!.rehashes;
    return [
      {
        text: `tombstones built up to ${fmt(share(peak) * 100)}% of the slots at ${fmt(peak.tSeconds)} s, and the mean probe length of stored keys rose ${fmt(s[0]!.meanProbe)} → ${fmt(peak.meanProbe)}`,
        value: share(peak),
      },
      {
        text: `throughput fell from ${mops(ops[0] ?? null)} in the first 100 ms to ${mops(before)} ${collapse > 0 ? 'just before the cleanup' : 'at the end'}`,
        value: ops[0] && before !== null ? before / ops[0] : null,
      },
      cleanups > 0
        ? {
            text: `${cleanups} migration(s) dropped the tombstones (${fmt(share(last) * 100)}% left, mean probe ${fmt(last.meanProbe)}, capacity ${peak.capacity} → ${last.capacity} slots); the longest took ${nsText(run.growth?.migrationMaxNs ?? null)} from the successor's allocation to the last slot moved, with writes going on meanwhile (a lock-free migration)`,
            value: cleanups,
          }
        : {
            text: 'no cleanup happened during the run: nothing dropped the tombstones (a fixed-capacity lock-free table never does; a growing one does when claimed slots pass its threshold)',
            value: 0,
          },
    ];
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
