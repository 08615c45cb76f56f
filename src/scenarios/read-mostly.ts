// read-mostly: Go's sync.Map design (readmostly) against a reader-writer
// lock, a sharded map and the lock-free table as the share of writes grows,
// plus churn (inserts and erases of keys), which is what forces readmostly's
// dirty map to be rebuilt and promoted. The latency pass keeps 10 ms
// windows, so promotions show up as spikes in the time series. Prefill
// settles readmostly (its dirty map promoted), so every run starts in the
// steady state; each repeat records its promotions and dirty copies.
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, mostThreads, nsText, qpsOf, ratio, type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';
import type { CellRecordOk, ResultFile } from '../schema.js';

const MAPS = ['readmostly', 'rwlock', 'sharded', 'lockfree'];
const MIXES = ['C', 'get=99,update=1', 'get=95,update=5', 'get=75,update=25', 'get=50,update=50', 'churn'];

/** The windows' max latencies of the first latency repeat (ns, nulls dropped). */
function windowMaxes(c: CellRecordOk | undefined): number[] {
  const s = c?.repeats.find((r) => r.pass === 'latency' && r.series)?.series;
  return s ? s.maxLatencyNs.filter((x): x is number => x !== null) : [];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function mixes(doc: ResultFile): string[] {
  return distinct(doc, 'mix') as string[];
}

export const readMostly: Scenario = {
  name: 'read-mostly',
  title: 'Read-mostly maps as the write share grows',
  claim: 'A sync.Map-style map (lock-free reads of a published snapshot) wins when reads dominate and loses as writes and new keys grow.',
  flags: {
    maps: MAPS.join(','),
    mix: MIXES.join(','),
    threads: '2',
    keys: '1e5',
    loadFactors: '0.5',
    mode: 'both',
    repeat: '3',
    duration: '0.2s',
    warmup: '0.02s',
    series: '10ms',
  },
  smoke: { keys: '4096', duration: '20ms', series: '5ms' },

  findings(doc) {
    const t = mostThreads(doc);
    const out: Finding[] = [];
    for (const mix of mixes(doc)) {
      const ranked = (distinct(doc, 'map') as string[])
        .map((map) => ({ map, q: qpsOf(findCell(doc, { map, mix, threads: t })) }))
        .filter((x): x is { map: string; q: number } => x.q !== null)
        .sort((a, b) => b.q - a.q);
      const rm = ranked.find((x) => x.map === 'readmostly');
      if (!ranked[0]) continue;
      out.push({
        text: `${mix}: ${ranked[0].map} leads at ${mops(ranked[0].q)}; readmostly runs at ${fmt(ratio(rm?.q ?? null, ranked[0].q))}× the leader`,
        value: ratio(rm?.q ?? null, ranked[0].q),
      });
    }
    const rmCells = mixes(doc).map((mix) => findCell(doc, { map: 'readmostly', mix, threads: t })).filter((c): c is CellRecordOk => c !== undefined);
    const snaps = rmCells.flatMap((c) => c.repeats.flatMap((r) => (r.snapshot ? [r.snapshot] : [])));
    if (snaps.length > 0) {
      const settled = snaps.filter((s) => !s.dirtyAfterPrefill).length;
      out.push({
        text: `readmostly: ${settled} of ${snaps.length} runs started promoted (every prefilled key in the read snapshot, no dirty map)`,
        value: settled / snaps.length,
      });
    }
    const churn = findCell(doc, { map: 'readmostly', mix: 'churn', threads: t });
    const churnSnaps = churn ? churn.repeats.flatMap((r) => (r.snapshot ? [r.snapshot] : [])) : [];
    if (churnSnaps.length > 0) {
      const sum = (f: (s: (typeof churnSnaps)[number]) => number) => churnSnaps.reduce((a, s) => a + f(s), 0);
      const most = (f: (s: (typeof churnSnaps)[number]) => number) => Math.max(...churnSnaps.map(f));
      out.push({
        text: `readmostly under churn: ${fmt(sum((s) => s.promotions) / churnSnaps.length)} promotions and ${fmt(sum((s) => s.dirtyCopies) / churnSnaps.length)} dirty copies per run; the longest promotion held the mutex ${nsText(most((s) => s.promotionMaxNs))}, the longest copy of the snapshot into a new dirty map ${nsText(most((s) => s.dirtyCopyMaxNs))}`,
        value: most((s) => s.dirtyCopyMaxNs),
      });
    }
    if (churn) {
      out.push({
        text: `readmostly under churn allocates ${fmt(churn.summary.allocationsPerOp)} times per op (${fmt(churn.summary.bytesPerOp)} bytes/op) and holds ${fmt(churn.map.bytesPerEntry)} bytes per entry`,
        value: churn.summary.allocationsPerOp,
      });
      const maxes = windowMaxes(churn);
      const spike = ratio(maxes.length ? Math.max(...maxes) : null, median(maxes));
      out.push({
        text: `readmostly under churn: the worst 10 ms window's longest sampled op is ${fmt(spike)}× the median window's (${nsText(maxes.length ? Math.max(...maxes) : null)})${churnSnaps.length ? `, in runs with ${fmt(churnSnaps.reduce((a, s) => a + s.promotions, 0))} promotions` : ''}`,
        value: spike,
      });
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const t = mostThreads(doc);
    const maps = distinct(doc, 'map') as string[];
    const byMix = (id: string, title: string, yLabel: string, y: (c: CellRecordOk | undefined) => number | null): ScenarioChart => ({
      id, title, kind: 'line', xLabel: 'mix', yLabel, xType: 'category', yLog: true,
      series: maps.map((map) => ({ name: map, points: mixes(doc).map((mix) => [mix, y(findCell(doc, { map, mix, threads: t }))] as [string, number | null]) })),
    });
    const timeline = (map: string) => {
      const s = findCell(doc, { map, mix: 'churn', threads: t })?.repeats.find((r) => r.pass === 'latency' && r.series)?.series;
      return {
        name: map,
        points: s ? s.maxLatencyNs.map((y, i) => [Number(((i + 1) * s.windowSeconds * 1e3).toFixed(3)), y] as [number, number | null]) : [],
      };
    };
    return [
      byMix('read-mostly-qps', 'Throughput by mix', 'ops/s', qpsOf),
      byMix('read-mostly-p99', 'p99 latency by mix', 'ns', (c) => latencyOf(c, 'overall', 'p99Ns')),
      {
        id: 'read-mostly-allocs', title: 'Allocations per op', kind: 'bar', xLabel: 'mix', yLabel: 'allocations/op', xType: 'category',
        series: maps.map((map) => ({ name: map, points: mixes(doc).map((mix) => [mix, findCell(doc, { map, mix, threads: t })?.summary.allocationsPerOp ?? null] as [string, number | null]) })),
      },
      {
        id: 'read-mostly-timeline', title: 'Churn: longest sampled op per 10 ms window', kind: 'line', xLabel: 'ms into the measured run', yLabel: 'ns', xType: 'value', yLog: true,
        series: maps.map(timeline),
      },
    ];
  },

  tables(doc): ScenarioTable[] {
    const t = mostThreads(doc);
    const rows: ScenarioTable['rows'] = [];
    for (const mix of mixes(doc)) {
      for (const map of distinct(doc, 'map') as string[]) {
        const c = findCell(doc, { map, mix, threads: t });
        rows.push([
          mix, map, mops(qpsOf(c)), nsText(latencyOf(c, 'overall', 'p99Ns')), c ? fmt(c.summary.allocationsPerOp) : 'n/a',
          c ? fmt(c.map.bytesPerEntry) : 'n/a',
        ]);
      }
    }
    return [{ title: `${t} threads, each mix`, columns: ['mix', 'map', 'throughput', 'p99', 'allocations/op', 'bytes/entry'], rows }];
  },
};
