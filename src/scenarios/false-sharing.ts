// false-sharing: what does a shard's padding buy? The same 64-shard map
// with spin locks, its shard headers padded to 128 bytes, to 64 bytes, or
// packed (several shards' locks and counters in one line), with the shard
// partition: each thread draws only keys of its own shards (shard s belongs
// to thread s mod threads), so no shard is shared, yet packed neighbours —
// which belong to different threads — share lines. The key set fits in
// cache, so a line moving between cores is the cost, not DRAM. Beside it,
// the calibration: the `counters` pseudo design, one counter per shard and
// nothing else (every op a fetch_add on its shard's counter), packed 8 to a
// line or padded — false sharing with no map around it, which shows what
// the physical effect is on the machine at hand.
import { distinct, findCell, type Finding, fmt, latencyOf, mops, qpsOf, ratio, type Scenario, type ScenarioChart, type ScenarioTable } from './scenario.js';

const PADS = ['packed', '64', '128'] as const;
const SHARDED = PADS.map((p) => `sharded:spin:${p}`);
const COUNTERS = PADS.map((p) => `counters:${p}`);
const MIXES = [
  { mix: 'A', what: 'write-heavy (50% update)' },
  { mix: 'C', what: 'read-only (100% get; every get still takes its shard lock)' },
];

export const falseSharing: Scenario = {
  name: 'false-sharing',
  title: 'Padding shard headers: 128 bytes, 64 bytes, packed, with thread-affine shards',
  claim: 'Padding each shard to its own cache line removes false sharing; the adjacent-line prefetcher may make 64 bytes too little (128 needed).',
  flags: {
    maps: [...SHARDED, ...COUNTERS].join(','),
    partition: 'shard',
    shards: '64',
    threads: '1,2',
    keys: '1e4',
    loadFactors: '0.5',
    mix: MIXES.map((m) => m.mix).join(','),
    mode: 'both',
    repeat: '5',
    duration: '0.1s',
    warmup: '0.02s',
  },
  smoke: { keys: '4096', duration: '10ms' },

  findings(doc) {
    const most = Math.max(...(distinct(doc, 'threads') as number[]));
    const cell = (map: string, mix: string, threads: number) => findCell(doc, { map, mix, threads });
    const q = (map: string, mix: string, threads = most) => qpsOf(cell(map, mix, threads));
    const p99 = (map: string, mix: string, threads = most) => latencyOf(cell(map, mix, threads), 'overall', 'p99Ns');
    const out: Finding[] = [];
    for (const { mix, what } of MIXES) {
      if (!cell(SHARDED[1]!, mix, most)) continue;
      const packed = ratio(q(SHARDED[0]!, mix), q(SHARDED[1]!, mix));
      out.push({
        text: `mix ${mix}, ${what}, ${most} threads on their own shards: packed ${mops(q(SHARDED[0]!, mix))}, 64-byte ${mops(q(SHARDED[1]!, mix))}, 128-byte ${mops(q(SHARDED[2]!, mix))}: packed runs at ${fmt(packed)}× the 64-byte throughput, with ${fmt(ratio(p99(SHARDED[0]!, mix), p99(SHARDED[1]!, mix)))}× its p99`,
        value: packed,
      });
      const wide = ratio(q(SHARDED[2]!, mix), q(SHARDED[1]!, mix));
      out.push({
        text: `mix ${mix}: 128-byte padding against 64-byte at ${most} threads: ${fmt(wide)}× throughput, ${fmt(ratio(p99(SHARDED[2]!, mix), p99(SHARDED[1]!, mix)))}× p99 (above 1 would mean the adjacent-line prefetcher makes 64 bytes too little)`,
        value: wide,
      });
      const calib = ratio(q(COUNTERS[0]!, mix), q(COUNTERS[1]!, mix));
      out.push({
        text: `mix ${mix}, calibration (counters, no map): packed ${mops(q(COUNTERS[0]!, mix))} against 64-byte ${mops(q(COUNTERS[1]!, mix))} and 128-byte ${mops(q(COUNTERS[2]!, mix))}: ${fmt(calib)}× — the pure false-sharing cost here, beside the map's ${fmt(packed)}×`,
        value: calib,
      });
    }
    // Whether two threads ran as two cores: the padded counters share
    // nothing, so on two independent cores they scale about 2×.
    const scaling = ratio(q(COUNTERS[1]!, 'A', most), q(COUNTERS[1]!, 'A', 1));
    if (most > 1 && scaling !== null) {
      const calib = ratio(q(COUNTERS[0]!, 'A'), q(COUNTERS[1]!, 'A'));
      const note =
        scaling < 1.5
          ? `well short of 2×: the ${most} threads did not run as ${most} independent cores (shared or time-sliced vCPUs), so no layout can show false sharing here`
          : calib !== null && calib > 0.9
            ? 'so the threads ran in parallel, yet a shared line cost them little: these vCPUs behave like cores that share the line\'s cache (siblings of one core)'
            : 'so the threads ran in parallel and a line written by both costs what the calibration ratio says';
      out.push({ text: `padded counters scale ${fmt(scaling)}× from 1 to ${most} threads (mix A), ${note}`, value: scaling });
    }
    const one = ratio(q(SHARDED[1]!, 'A', 1), q(SHARDED[0]!, 'A', 1));
    out.push({ text: `with 1 thread there is no one to share a line with: 64-byte over packed is ${fmt(one)}× (mix A)`, value: one });
    return out;
  },

  charts(doc): ScenarioChart[] {
    const threads = distinct(doc, 'threads') as number[];
    const maps = distinct(doc, 'map') as string[];
    const mixes = distinct(doc, 'mix') as string[];
    const x = (mix: string, t: number) => `${mix} ${t}T`;
    const points = (map: string, y: (mix: string, t: number) => number | null) =>
      mixes.flatMap((mix) => threads.map((t) => [x(mix, t), y(mix, t)] as [string, number | null]));
    return [
      {
        id: 'false-sharing-qps', title: 'Throughput by shard padding (shard partition)', kind: 'bar', xLabel: 'mix, threads', yLabel: 'ops/s', xType: 'category',
        series: maps.map((map) => ({ name: map, points: points(map, (mix, t) => qpsOf(findCell(doc, { map, mix, threads: t }))) })),
      },
      {
        id: 'false-sharing-p99', title: 'p99 latency by shard padding (shard partition)', kind: 'bar', xLabel: 'mix, threads', yLabel: 'ns', xType: 'category',
        series: maps.map((map) => ({ name: map, points: points(map, (mix, t) => latencyOf(findCell(doc, { map, mix, threads: t }), 'overall', 'p99Ns')) })),
      },
    ];
  },

  tables(doc): ScenarioTable[] {
    const rows: ScenarioTable['rows'] = [];
    for (const mix of distinct(doc, 'mix') as string[]) {
      for (const t of distinct(doc, 'threads') as number[]) {
        for (const map of distinct(doc, 'map') as string[]) {
          const c = findCell(doc, { map, mix, threads: t });
          rows.push([mix, t, map, mops(qpsOf(c)), fmt(ratio(qpsOf(c), qpsOf(findCell(doc, { map: map.replace(/:[^:]+$/, ':64'), mix, threads: t })))), latencyOf(c, 'overall', 'p99Ns')]);
        }
      }
    }
    return [{ title: 'every cell (shard partition, 64 shards, 10,000 keys)', columns: ['mix', 'threads', 'map', 'throughput', '× its 64-byte layout', 'p99 ns'], rows }];
  },
};
