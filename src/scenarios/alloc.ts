// alloc: what does a heap node per entry cost? Separate chaining with
// new/delete per node, the same with a per-thread free-list pool, and the
// open-addressing maps (no allocation per op at all), on the cart and
// churn mixes.
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, mostThreads, nsText, qpsOf, ratio, type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';

const MAPS = ['chained', 'chained-pool', 'sharded', 'lockfree'];

export const alloc: Scenario = {
  name: 'alloc',
  title: 'Allocation per entry: new/delete, pooled nodes, open addressing',
  claim: 'Pooling nodes instead of new/delete per entry gives +42% throughput.',
  flags: {
    maps: MAPS.join(','),
    mix: 'cart,churn',
    threads: '1,2',
    keys: '1e5',
    loadFactors: '0.5',
    mode: 'both',
    repeat: '3',
    duration: '0.2s',
    warmup: '0.05s',
  },
  smoke: { keys: '4096', duration: '20ms' },

  findings(doc) {
    const out: Finding[] = [];
    const threads = distinct(doc, 'threads') as number[];
    for (const mix of distinct(doc, 'mix') as string[]) {
      for (const t of threads) {
        const plain = qpsOf(findCell(doc, { map: 'chained', mix, threads: t }));
        const pooled = qpsOf(findCell(doc, { map: 'chained-pool', mix, threads: t }));
        const r = ratio(pooled, plain);
        out.push({
          text: `${mix}, ${t} thread${t > 1 ? 's' : ''}: pooled nodes ${mops(pooled)} vs new/delete ${mops(plain)}: ${r === null ? 'n/a' : `${r >= 1 ? '+' : ''}${fmt((r - 1) * 100)}%`} (the seed claims +42%)`,
          value: r,
        });
      }
    }
    const t = mostThreads(doc);
    for (const map of distinct(doc, 'map') as string[]) {
      const c = findCell(doc, { map, mix: 'churn', threads: t });
      if (c) out.push({ text: `${map} under churn: ${fmt(c.summary.allocationsPerOp)} allocations and ${fmt(c.summary.bytesPerOp)} bytes per op`, value: c.summary.allocationsPerOp });
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const maps = distinct(doc, 'map') as string[];
    const t = mostThreads(doc);
    const mixes = distinct(doc, 'mix') as string[];
    const bar = (id: string, title: string, yLabel: string, y: (map: string, mix: string) => number | null): ScenarioChart => ({
      id, title, kind: 'bar', xLabel: 'mix', yLabel, xType: 'category',
      series: maps.map((map) => ({ name: map, points: mixes.map((mix) => [mix, y(map, mix)] as [string, number | null]) })),
    });
    return [
      bar('alloc-qps', `Throughput, ${t} thread(s)`, 'ops/s', (map, mix) => qpsOf(findCell(doc, { map, mix, threads: t }))),
      bar('alloc-allocs', 'Allocations per op', 'allocations/op', (map, mix) => findCell(doc, { map, mix, threads: t })?.summary.allocationsPerOp ?? null),
      bar('alloc-p99', 'p99 latency', 'ns', (map, mix) => latencyOf(findCell(doc, { map, mix, threads: t }), 'overall', 'p99Ns')),
    ];
  },

  tables(doc): ScenarioTable[] {
    const rows: ScenarioTable['rows'] = [];
    for (const mix of distinct(doc, 'mix') as string[]) {
      for (const t of distinct(doc, 'threads') as number[]) {
        for (const map of distinct(doc, 'map') as string[]) {
          const c = findCell(doc, { map, mix, threads: t });
          rows.push([
            mix, t, map, mops(qpsOf(c)), c ? fmt(c.summary.allocationsPerOp) : 'n/a', c ? fmt(c.summary.bytesPerOp) : 'n/a',
            nsText(latencyOf(c, 'overall', 'p99Ns')), c ? fmt(c.map.bytesPerEntry) : 'n/a',
          ]);
        }
      }
    }
    return [{ title: 'Every cell', columns: ['mix', 'threads', 'map', 'throughput', 'allocations/op', 'bytes/op', 'p99', 'bytes/entry'], rows }];
  },
};
