// false-sharing: what does a shard's padding buy? The same 64-shard map
// with spin locks, its shard headers padded to 128 bytes, to 64 bytes, or
// packed (several shards' locks and counters in one line), under a
// write-heavy mix on a key set that fits in cache, so the shard headers'
// lines are what the cores fight over.
import { distinct, findCell, type Finding, fmt, latencyOf, mops, mostThreads, qpsOf, ratio, type Scenario, type ScenarioChart } from './scenario.js';

const MAPS = ['sharded:spin:128', 'sharded:spin:64', 'sharded:spin:packed'];

export const falseSharing: Scenario = {
  name: 'false-sharing',
  title: 'Padding shard headers: 128 bytes, 64 bytes, packed',
  claim: 'Padding each shard to its own cache line removes false sharing; the adjacent-line prefetcher may make 64 bytes too little (128 needed).',
  flags: {
    maps: MAPS.join(','),
    shards: '64',
    threads: '1,2',
    keys: '1e4',
    loadFactors: '0.5',
    mix: 'A',
    mode: 'both',
    repeat: '5',
    duration: '0.1s',
    warmup: '0.02s',
  },
  smoke: { keys: '4096', duration: '10ms' },

  findings(doc) {
    const t = mostThreads(doc);
    const q = (map: string, threads = t) => qpsOf(findCell(doc, { map, threads }));
    const out: Finding[] = [
      {
        text: `${t} threads: packed ${mops(q(MAPS[2]!))}, 64-byte ${mops(q(MAPS[1]!))}, 128-byte ${mops(q(MAPS[0]!))}: packing costs ${fmt(ratio(q(MAPS[1]!), q(MAPS[2]!)))}× against 64-byte padding`,
        value: ratio(q(MAPS[1]!), q(MAPS[2]!)),
      },
      {
        text: `128-byte padding against 64-byte at ${t} threads: ${fmt(ratio(q(MAPS[0]!), q(MAPS[1]!)))}× (above 1 would mean the adjacent-line prefetcher makes 64 bytes too little)`,
        value: ratio(q(MAPS[0]!), q(MAPS[1]!)),
      },
    ];
    const one = ratio(q(MAPS[1]!, 1), q(MAPS[2]!, 1));
    out.push({ text: `with 1 thread there is no one to share a line with: 64-byte over packed is ${fmt(one)}×`, value: one });
    return out;
  },

  charts(doc): ScenarioChart[] {
    const threads = distinct(doc, 'threads') as number[];
    const maps = distinct(doc, 'map') as string[];
    return [
      {
        id: 'false-sharing-qps', title: 'Throughput by shard padding', kind: 'bar', xLabel: 'threads', yLabel: 'ops/s', xType: 'category',
        series: maps.map((map) => ({ name: map, points: threads.map((t) => [String(t), qpsOf(findCell(doc, { map, threads: t }))] as [string, number | null]) })),
      },
      {
        id: 'false-sharing-p99', title: 'p99 latency by shard padding', kind: 'bar', xLabel: 'threads', yLabel: 'ns', xType: 'category',
        series: maps.map((map) => ({ name: map, points: threads.map((t) => [String(t), latencyOf(findCell(doc, { map, threads: t }), 'overall', 'p99Ns')] as [string, number | null]) })),
      },
    ];
  },
};
