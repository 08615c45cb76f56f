// batch: what issuing lookups in batches buys. Each design at batch sizes 1
// (the per-op loop) to 256, 1e6 keys, mix C and B, 2 threads, the floor
// batched the same way beside them. Maps that batch (lockfree, floor)
// prefetch each group's home lines before probing; the others run the same
// groups op by op, so their curve is the cost of the grouping alone.
import { distinct, findCell, type Finding, fmt, mops, mostThreads, qpsOf, ratio, type Scenario, type ScenarioChart } from './scenario.js';

const SIZES = [1, 4, 16, 64, 256];

export const batch: Scenario = {
  name: 'batch',
  title: 'Batch size and software prefetch',
  claim:
    'Lookups issued in groups that hash and prefetch every key before probing (Boost.Unordered bulk visit, AMAC) keep enough misses in flight to close most of the gap to the memory floor that a per-op loop leaves.',
  flags: {
    maps: 'floor,lockfree,sharded',
    batch: SIZES.join(','),
    threads: '2',
    keys: '1e6',
    loadFactors: '0.5,0.9',
    mix: 'C,B',
    mode: 'throughput',
    stats: false,
    repeat: '3',
    duration: '0.15s',
    warmup: '0.03s',
  },
  smoke: { batch: '1,16', keys: '4096', loadFactors: '0.5', mix: 'C', duration: '10ms' },

  findings(doc) {
    const out: Finding[] = [];
    const t = mostThreads(doc);
    const sizes = (distinct(doc, 'batch') as number[]).sort((a, b) => a - b);
    const lfs = distinct(doc, 'loadFactor') as number[];
    const mixes = distinct(doc, 'mix') as string[];
    const q = (map: string, b: number, lf: number, mix: string) => qpsOf(findCell(doc, { map, batch: b, threads: t, loadFactor: lf, mix }));
    for (const mix of mixes) {
      for (const lf of lfs) {
        const best = sizes.reduce((a, b) => ((q('lockfree', b, lf, mix) ?? 0) > (q('lockfree', a, lf, mix) ?? 0) ? b : a), sizes[0]!);
        const per = q('lockfree', 1, lf, mix);
        const floor1 = q('floor', 1, lf, mix);
        out.push({
          text: `lockfree, mix ${mix}, lf ${lf}, ${t} threads: per-op ${mops(per)}, best batch ${best} ${mops(q('lockfree', best, lf, mix))} (${fmt(ratio(q('lockfree', best, lf, mix), per))}× per-op, ${fmt(ratio(q('lockfree', best, lf, mix), floor1))}× the per-op floor, ${fmt(ratio(q('lockfree', best, lf, mix), q('floor', best, lf, mix)))}× the floor at that batch)`,
          value: ratio(q('lockfree', best, lf, mix), per),
        });
      }
    }
    for (const c of doc.cells) {
      if (c.status === 'ok' && c.params.batch !== undefined && c.params.batch > 1 && c.repeats[0]?.batchPrefetch === false) {
        out.push({ text: `${c.params.map} runs batches op by op (no prefetching batch path): its curve is the grouping alone`, value: null });
        break;
      }
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const sizes = (distinct(doc, 'batch') as number[]).sort((a, b) => a - b);
    const maps = distinct(doc, 'map') as string[];
    const lfs = distinct(doc, 'loadFactor') as number[];
    const mixes = distinct(doc, 'mix') as string[];
    const t = mostThreads(doc);
    return mixes.flatMap((mix) =>
      lfs.map((lf) => ({
        id: `batch-qps-${mix}-${lf}`,
        title: `Throughput vs batch size, mix ${mix}, load factor ${lf}, ${t} threads (floor beside the maps)`,
        kind: 'line' as const,
        xLabel: 'ops per batch',
        yLabel: 'ops/s',
        xType: 'log' as const,
        yLog: true,
        series: maps.map((map) => ({
          name: map,
          points: sizes.map((b) => [b, qpsOf(findCell(doc, { map, batch: b, threads: t, loadFactor: lf, mix }))] as [number, number | null]),
        })),
      })),
    );
  },
};
