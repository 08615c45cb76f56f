// shards: how far does sharding carry, and what does skew do to it? One
// mutex-per-shard map at 1 to 256 shards, 1 to 4 threads, under uniform
// keys, zipf 0.99 and a single hot key. The statistics pass counts ops per
// shard, giving the hottest shard's share.
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, mostThreads, qpsOf, ratio, type Scenario, type ScenarioChart,
} from './scenario.js';

const DISTS = ['uniform', 'zipf:0.99', 'hotkey'];


export const shards: Scenario = {
  name: 'shards',
  title: 'Shard count, threads and key skew',
  claim: 'Going from 1 to 16 to 64 segments lifts throughput 12.4 → 41.9 → 43.1 Mops/s; under skew one hot shard takes about 67% of the ops.',
  flags: {
    maps: 'sharded',
    shards: '1,4,16,64,256',
    threads: '1,2,4',
    dist: DISTS.join(','),
    keys: '1e5',
    loadFactors: '0.5',
    mix: 'B',
    mode: 'both',
    repeat: '3',
    duration: '0.1s',
    warmup: '0.02s',
  },
  smoke: { shards: '1,16', threads: '1,2', keys: '4096', duration: '10ms' },

  findings(doc) {
    const out: Finding[] = [];
    const t = mostThreads(doc);
    const q = (s: number, dist = 'uniform') => qpsOf(findCell(doc, { shards: s, threads: t, dist }));
    const counts = (distinct(doc, 'shards') as number[]).sort((a, b) => a - b);
    out.push({
      text: `uniform keys, ${t} threads: ${counts.map((s) => `${s} shard${s > 1 ? 's' : ''} ${mops(q(s))}`).join(', ')} (the seed: 1 → 16 → 64 segments gave 12.4 → 41.9 → 43.1 Mops/s)`,
      value: ratio(q(counts[counts.length - 1]!), q(counts[0]!)),
    });
    for (const dist of ['zipf:0.99', 'hotkey']) {
      const s = counts.includes(64) ? 64 : counts[counts.length - 1]!;
      const skew = findCell(doc, { shards: s, threads: t, dist })?.stats?.shardSkew;
      out.push({
        text: skew
          ? `${dist}, ${s} shards: the hottest shard takes ${fmt(skew.hottestShare * 100)}% of the ops (max/mean ${fmt(skew.maxOverMean)}, CV ${fmt(skew.cv)}); the seed reports about 67% under skew`
          : `${dist}: no per-shard counts in this file`,
        value: skew ? skew.hottestShare : null,
      });
    }
    const s = counts.includes(64) ? 64 : counts[counts.length - 1]!;
    const hot = qpsOf(findCell(doc, { shards: s, threads: t, dist: 'hotkey' }));
    out.push({
      text: `a single hot key runs at ${fmt(ratio(hot, q(s)))}× the uniform throughput at ${s} shards and ${t} threads: every op queues on one lock`,
      value: ratio(hot, q(s)),
    });
    return out;
  },

  charts(doc): ScenarioChart[] {
    const counts = (distinct(doc, 'shards') as number[]).sort((a, b) => a - b);
    const threads = distinct(doc, 'threads') as number[];
    const dists = distinct(doc, 'dist') as string[];
    const byShards = (id: string, title: string, yLabel: string, y: (s: number, t: number, d: string) => number | null): ScenarioChart => ({
      id, title, kind: 'line', xLabel: 'shards', yLabel, xType: 'log', yLog: true,
      series: dists.flatMap((d) => threads.map((t) => ({ name: `${d}, ${t} thread${t > 1 ? 's' : ''}`, points: counts.map((s) => [s, y(s, t, d)] as [number, number | null]) }))),
    });
    return [
      byShards('shards-qps', 'Throughput vs shard count', 'ops/s', (s, t, dist) => qpsOf(findCell(doc, { shards: s, threads: t, dist }))),
      byShards('shards-p99', 'p99 latency vs shard count', 'ns', (s, t, dist) => latencyOf(findCell(doc, { shards: s, threads: t, dist }), 'overall', 'p99Ns')),
      {
        id: 'shards-hottest', title: 'Hottest shard’s share of ops', kind: 'line', xLabel: 'shards', yLabel: 'share', xType: 'log',
        series: dists.map((dist) => ({
          name: dist,
          points: counts.map((s) => [s, findCell(doc, { shards: s, threads: threads[0], dist })?.stats?.shardSkew?.hottestShare ?? null] as [number, number | null]),
        })),
      },
    ];
  },
};
