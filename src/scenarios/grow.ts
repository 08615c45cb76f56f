// grow: maps that do not know their final size. Each design starts at 1024
// slots, empty, and runs the grow mix (insert 80, update 10, get 5, erase 5)
// over a 16M-key space, so it grows through many doublings while measured:
// lockfree by lock-free slot-by-slot migration, lockfree-freeze by draining
// its writers and copying strides, sharded shard by shard under each shard's
// lock, mutex stop-the-world under its one lock, and the peers that grow
// (libcuckoo, TBB, Abseil shards) their own way. Two passes per repeat: the
// throughput pass (no timers) gives the rate over the whole run and, from
// its 10 ms windows' key counts, the time to reach 1e6 and 1e7 keys; the
// latency pass times every op (--sample-every 1), so its longest op is the
// true worst pause. Every migration's duration comes from the map itself.
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, mostThreads, nsText, qpsOf, ratio, type Scenario,
  type ScenarioChart, type ScenarioTable,
} from './scenario.js';
import type { CellRecordOk, RepeatRecord, ResultFile } from '../schema.js';

const MAPS = ['lockfree', 'lockfree-freeze', 'sharded', 'mutex'];
const PEERS = ['libcuckoo', 'tbb', 'absl-sharded'];
/** Entry counts whose arrival time the findings report. */
export const MILESTONES = [1e6, 1e7];

function runs(c: CellRecordOk | undefined, pass: RepeatRecord['pass']): RepeatRecord[] {
  return c ? c.repeats.filter((r) => r.pass === pass) : [];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Seconds from the start of the measured phase until the map held `n`
 * entries (the end of the first 10 ms window where prefill + keys added
 * reached it); null when the run ended first or kept no key counts.
 */
export function secondsToEntries(r: RepeatRecord, prefillEntries: number, n: number): number | null {
  const s = r.series;
  if (!s?.netInserts) return null;
  let entries = prefillEntries;
  for (let i = 0; i < s.netInserts.length; i++) {
    entries += s.netInserts[i]!;
    if (entries >= n) return (i + 1) * s.windowSeconds;
  }
  return null;
}

/** Median over the throughput repeats of the time to n entries (null if any repeat missed it). */
export function timeToEntries(c: CellRecordOk | undefined, n: number): number | null {
  const rs = runs(c, 'throughput');
  if (!c || rs.length === 0) return null;
  const ts = rs.map((r) => secondsToEntries(r, c.map.prefillEntries, n));
  return ts.some((t) => t === null) ? null : median(ts as number[]);
}

/** Growth figures over the cell's throughput repeats: the migrations of the median-length run. */
function growthOf(c: CellRecordOk | undefined) {
  const g = runs(c, 'throughput').map((r) => r.growth).filter((x) => x !== undefined);
  // Peers grow by their own policy and report neither migrations nor table bytes.
  if (g.length === 0 || g.every((x) => x.migrations === 0 && x.peakTableBytes === 0)) return null;
  const each = g.flatMap((x) => x.migrationNs ?? []);
  return {
    migrations: Math.max(...g.map((x) => x.migrations)),
    migrationMaxNs: Math.max(...g.map((x) => x.migrationMaxNs)),
    migrationMedianNs: median(each),
    peakTableBytes: Math.max(...g.map((x) => x.peakTableBytes)),
    endCapacity: Math.max(...g.map((x) => x.endCapacity)),
    endEntries: Math.max(...runs(c, 'throughput').map((r) => r.endEntries)),
  };
}

function maps(doc: ResultFile): string[] {
  return distinct(doc, 'map') as string[];
}

const secText = (s: number | null) => (s === null ? 'not reached' : `${fmt(s)} s`);
const times = (x: number | null) => (x === null ? 'n/a' : `${fmt(x)}×`);

export const grow: Scenario = {
  name: 'grow',
  title: 'Online growth from 1K slots toward 16M keys',
  claim: 'Growth done badly stalls or loses updates; a lock-free migration, where no writer waits for another, beats both a stop-the-world rehash and a migration that drains writers first.',
  flags: {
    maps: MAPS.join(','),
    threads: '1,2',
    keys: '16e6',
    loadFactors: '0.5',
    mix: 'grow',
    prefill: '0',
    initialCapacity: '1024',
    mode: 'both',
    sampleEvery: '1',
    series: '10ms',
    stats: false,
    repeat: '2',
    // Long enough for the fastest designs to pass 1e7 keys at one thread.
    duration: '8s',
    warmup: '0s',
    // The stream length is the default: 4 draws per key over both threads,
    // so the inserts reach the whole 16M-key space.
  },
  peerMaps: PEERS,
  smoke: { keys: '1e5', duration: '0.2s', series: '20ms', streamLength: String(2 ** 16) },

  findings(doc) {
    const out: Finding[] = [];
    for (const t of distinct(doc, 'threads') as number[]) {
      for (const map of maps(doc)) {
        const c = findCell(doc, { map, threads: t });
        const g = growthOf(c);
        out.push({
          text: `${map}, ${t} thread${t > 1 ? 's' : ''}: ${mops(qpsOf(c))} over the whole run; ` +
            MILESTONES.map((n) => `${fmt(n / 1e6)}M keys after ${secText(timeToEntries(c, n))}`).join(', ') +
            `; insert p99 ${nsText(latencyOf(c, 'insert', 'p99Ns'))}, p99.9 ${nsText(latencyOf(c, 'insert', 'p999Ns'))}, worst op ${nsText(latencyOf(c, 'overall', 'maxNs'))}` +
            (g ? `; ${g.migrations} migrations (median ${nsText(g.migrationMedianNs)}, longest ${nsText(g.migrationMaxNs)}), table memory peaking at ${fmt(g.peakTableBytes / 2 ** 20)} MiB` : ''),
          value: qpsOf(c),
        });
      }
    }
    // The side-by-side ratios, at the most threads the machine runs without oversubscription.
    const t = mostThreads(doc);
    const at = (map: string) => findCell(doc, { map, threads: t });
    const lf = at('lockfree');
    if (lf) {
      for (const other of ['mutex', 'lockfree-freeze']) {
        const o = at(other);
        if (!o) continue;
        const r = ratio(qpsOf(lf), qpsOf(o));
        out.push({ text: `${t} threads: lockfree's throughput is ${times(r)} ${other}'s`, value: r });
      }
      const m = at('mutex');
      if (m) {
        const r = ratio(latencyOf(lf, 'insert', 'p999Ns'), latencyOf(m, 'insert', 'p999Ns'));
        out.push({ text: `${t} threads: lockfree's insert p99.9 is ${times(r)} mutex's`, value: r });
      }
      const last = MILESTONES[MILESTONES.length - 1]!;
      const mine = timeToEntries(lf, last);
      for (const map of maps(doc).filter((x) => x !== 'lockfree')) {
        const theirs = timeToEntries(at(map), last);
        const r = mine !== null && theirs !== null ? theirs / mine : null;
        out.push({
          text: `${t} threads: time to ${fmt(last / 1e6)}M keys, lockfree ${secText(mine)} vs ${map} ${secText(theirs)}` +
            (r !== null ? ` (${map} takes ${fmt(r)}× as long)` : ''),
          value: r,
        });
      }
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const t = Math.max(...(distinct(doc, 'threads') as number[]));
    const timeline = (pass: RepeatRecord['pass'], pick: (r: NonNullable<RepeatRecord['series']>, i: number, c: CellRecordOk) => number | null) =>
      maps(doc).map((map) => {
        const c = findCell(doc, { map, threads: t });
        const s = runs(c, pass)[0]?.series;
        return {
          name: map,
          points: s && c ? s.opsPerSec.map((_, i) => [Number(((i + 1) * s.windowSeconds * 1e3).toFixed(3)), pick(s, i, c)] as [number, number | null]) : [],
        };
      });
    return [
      {
        id: 'grow-qps', title: `Throughput per 10 ms window while growing (throughput pass), ${t} thread(s)`, kind: 'line', xLabel: 'ms', yLabel: 'ops/s', xType: 'value',
        series: timeline('throughput', (s, i) => s.opsPerSec[i] ?? null),
      },
      {
        id: 'grow-entries', title: `Entries over time (throughput pass), ${t} thread(s)`, kind: 'line', xLabel: 'ms', yLabel: 'entries', xType: 'value',
        series: timeline('throughput', (s, i, c) =>
          s.netInserts ? c.map.prefillEntries + s.netInserts.slice(0, i + 1).reduce((a, b) => a + b, 0) : null),
      },
      {
        id: 'grow-max', title: `Longest op per 10 ms window while growing (latency pass, every op timed), ${t} thread(s)`, kind: 'line', xLabel: 'ms', yLabel: 'ns', xType: 'value', yLog: true,
        series: timeline('latency', (s, i) => s.maxLatencyNs[i] ?? null),
      },
    ];
  },

  tables(doc): ScenarioTable[] {
    const rows: ScenarioTable['rows'] = [];
    for (const t of distinct(doc, 'threads') as number[]) {
      for (const map of maps(doc)) {
        const c = findCell(doc, { map, threads: t });
        const g = growthOf(c);
        rows.push([
          map, t, mops(qpsOf(c)), ...MILESTONES.map((n) => secText(timeToEntries(c, n))),
          nsText(latencyOf(c, 'insert', 'p99Ns')), nsText(latencyOf(c, 'insert', 'p999Ns')), nsText(latencyOf(c, 'overall', 'maxNs')),
          g ? g.migrations : 'n/a', g ? nsText(g.migrationMedianNs) : 'n/a', g ? nsText(g.migrationMaxNs) : 'n/a',
          g ? `${fmt(g.peakTableBytes / 2 ** 20)} MiB` : 'n/a', g ? g.endEntries : 'n/a',
        ]);
      }
    }
    const migrations: ScenarioTable['rows'] = [];
    for (const t of distinct(doc, 'threads') as number[]) {
      for (const map of maps(doc)) {
        const each = runs(findCell(doc, { map, threads: t }), 'throughput')[0]?.growth?.migrationNs;
        if (each && each.length > 0) migrations.push([map, t, each.length, each.map((ns) => nsText(ns)).join(' ')]);
      }
    }
    return [
      {
        title: 'Growth per design',
        columns: ['map', 'threads', 'throughput', ...MILESTONES.map((n) => `time to ${fmt(n / 1e6)}M keys`), 'insert p99', 'insert p99.9', 'worst op', 'migrations', 'median migration', 'longest migration', 'peak table memory', 'entries at end'],
        rows,
      },
      ...(migrations.length > 0
        ? [{ title: 'Every migration of the first throughput repeat, in order (designs that log them)', columns: ['map', 'threads', 'count', 'durations'], rows: migrations }]
        : []),
    ];
  },
};
