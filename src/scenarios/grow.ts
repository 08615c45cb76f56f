// grow: maps that do not know their final size. Each design starts at 1024
// slots, empty, and runs the grow mix (insert 80, update 10, get 5, erase 5)
// over a 16M-key space, so it grows through many doublings while measured:
// lockfree by cooperative migration, sharded shard by shard under each
// shard's lock, mutex stop-the-world under its one lock. Every op is timed
// (--sample-every 1), so the longest op is the true worst pause, and 10 ms
// windows show each growth step as a dip or a spike.
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, nsText, qpsOf, type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';
import type { CellRecordOk, RepeatRecord, ResultFile } from '../schema.js';

const MAPS = ['lockfree', 'sharded', 'mutex'];

function latencyRuns(c: CellRecordOk | undefined): RepeatRecord[] {
  return c ? c.repeats.filter((r) => r.pass === 'latency') : [];
}

/** Growth figures over the cell's latency repeats: most migrations, longest one, highest memory. */
function growthOf(c: CellRecordOk | undefined) {
  const g = latencyRuns(c).map((r) => r.growth).filter((x) => x !== undefined);
  if (g.length === 0) return null;
  return {
    migrations: Math.max(...g.map((x) => x.migrations)),
    migrationMaxNs: Math.max(...g.map((x) => x.migrationMaxNs)),
    peakTableBytes: Math.max(...g.map((x) => x.peakTableBytes)),
    endCapacity: Math.max(...g.map((x) => x.endCapacity)),
    endEntries: Math.max(...latencyRuns(c).map((r) => r.endEntries)),
  };
}

function maps(doc: ResultFile): string[] {
  return distinct(doc, 'map') as string[];
}

export const grow: Scenario = {
  name: 'grow',
  title: 'Online growth from 1K slots toward 16M keys',
  claim: 'Growth done badly stalls or loses updates; cooperative incremental migration (Java ConcurrentHashMap’s transfer) keeps gets non-blocking and pauses short.',
  flags: {
    maps: MAPS.join(','),
    threads: '1,2',
    keys: '16e6',
    loadFactors: '0.5',
    mix: 'grow',
    prefill: '0',
    initialCapacity: '1024',
    mode: 'latency',
    sampleEvery: '1',
    series: '10ms',
    stats: false,
    repeat: '2',
    duration: '2s',
    warmup: '0s',
    // The stream length is the default: 4 draws per key over both threads,
    // so the inserts reach the whole 16M-key space.
  },
  smoke: { keys: '1e5', duration: '0.2s', series: '20ms', streamLength: String(2 ** 16) },

  findings(doc) {
    const out: Finding[] = [];
    for (const t of distinct(doc, 'threads') as number[]) {
      for (const map of maps(doc)) {
        const c = findCell(doc, { map, threads: t });
        const worst = latencyOf(c, 'overall', 'maxNs');
        const g = growthOf(c);
        out.push({
          text: `${map}, ${t} thread${t > 1 ? 's' : ''}: worst single op during growth ${nsText(worst)}, p99.9 ${nsText(latencyOf(c, 'overall', 'p999Ns'))}, ${mops(qpsOf(c))}` +
            (g ? `; ${g.migrations} growth steps to ${fmt(g.endEntries / 1e6)}M entries, the longest ${nsText(g.migrationMaxNs)}, table memory peaking at ${fmt(g.peakTableBytes / 2 ** 20)} MiB` : ''),
          value: worst,
        });
      }
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const t = Math.max(...(distinct(doc, 'threads') as number[]));
    const timeline = (pick: (r: NonNullable<RepeatRecord['series']>, i: number) => number | null) =>
      maps(doc).map((map) => {
        const s = latencyRuns(findCell(doc, { map, threads: t }))[0]?.series;
        return {
          name: map,
          points: s ? s.opsPerSec.map((_, i) => [Number(((i + 1) * s.windowSeconds * 1e3).toFixed(3)), pick(s, i)] as [number, number | null]) : [],
        };
      });
    return [
      {
        id: 'grow-qps', title: `Throughput per 10 ms window while growing, ${t} thread(s)`, kind: 'line', xLabel: 'ms', yLabel: 'ops/s', xType: 'value',
        series: timeline((s, i) => s.opsPerSec[i] ?? null),
      },
      {
        id: 'grow-max', title: `Longest op per 10 ms window while growing, ${t} thread(s)`, kind: 'line', xLabel: 'ms', yLabel: 'ns', xType: 'value', yLog: true,
        series: timeline((s, i) => s.maxLatencyNs[i] ?? null),
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
          map, t, mops(qpsOf(c)), nsText(latencyOf(c, 'overall', 'p999Ns')), nsText(latencyOf(c, 'overall', 'maxNs')),
          g ? g.migrations : 'n/a', g ? nsText(g.migrationMaxNs) : 'n/a', g ? `${fmt(g.peakTableBytes / 2 ** 20)} MiB` : 'n/a',
          g ? g.endEntries : 'n/a',
        ]);
      }
    }
    return [{ title: 'Growth per design', columns: ['map', 'threads', 'throughput', 'p99.9', 'worst op', 'growth steps', 'longest step', 'peak table memory', 'entries at end'], rows }];
  },
};
