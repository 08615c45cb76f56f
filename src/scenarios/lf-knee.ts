// lf-knee: where does linear probing's cost turn up? Every open-addressing
// map at eight load factors, gets that hit and gets that miss in separate
// cells, with the statistics pass counting probes so the measured averages
// can be held against Knuth's expectations for linear probing:
//   successful    ½ (1 + 1/(1 − α))
//   unsuccessful  ½ (1 + 1/(1 − α)²)
import {
  distinct, findCell, type Finding, fmt, latencyOf, nsText, qpsOf, ratio,
  type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';
import type { ResultFile } from '../schema.js';

const MAPS = ['lockfree', 'mutex', 'sharded'];
const LOAD_FACTORS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99];

export const knuthHit = (a: number) => 0.5 * (1 + 1 / (1 - a));
export const knuthMiss = (a: number) => 0.5 * (1 + 1 / (1 - a) ** 2);

function loadFactors(doc: ResultFile): number[] {
  return (distinct(doc, 'loadFactor') as number[]).sort((a, b) => a - b);
}

function maps(doc: ResultFile): string[] {
  return distinct(doc, 'map') as string[];
}

export const lfKnee: Scenario = {
  name: 'lf-knee',
  title: 'The load-factor knee of linear probing',
  claim: 'Going from load factor 0.85 to 0.95 costs 3.7× in tail latency (p99 of a get that misses).',
  flags: {
    maps: MAPS.join(','),
    loadFactors: LOAD_FACTORS.join(','),
    keys: '2e5',
    mix: 'C,miss',
    threads: '1',
    mode: 'both',
    repeat: '3',
    duration: '0.1s',
    warmup: '0.02s',
  },
  smoke: { loadFactors: '0.5,0.85,0.95', keys: '2000', duration: '10ms' },

  findings(doc) {
    const out: Finding[] = [];
    for (const map of maps(doc)) {
      const at = (lf: number) => latencyOf(findCell(doc, { map, loadFactor: lf, mix: 'miss' }), 'getMiss', 'p99Ns');
      const r = ratio(at(0.95), at(0.85));
      out.push({
        text: `${map}: p99 of a get-miss at load factor 0.95 is ${fmt(r)}× that at 0.85 (${nsText(at(0.95))} vs ${nsText(at(0.85))}; the seed claims 3.7×)`,
        value: r,
      });
    }
    // How far the measured probe counts sit from Knuth: per map, the cell
    // furthest from its expectation.
    for (const map of maps(doc)) {
      let worst: { lf: number; kind: string; r: number; grew: boolean } | null = null;
      for (const lf of loadFactors(doc)) {
        const hitCell = findCell(doc, { map, loadFactor: lf, mix: 'C' });
        const missCell = findCell(doc, { map, loadFactor: lf, mix: 'miss' });
        for (const [kind, cell, measured, expected] of [
          ['hit', hitCell, hitCell?.stats?.meanProbeHit ?? null, knuthHit(lf)],
          ['miss', missCell, missCell?.stats?.meanProbeMiss ?? null, knuthMiss(lf)],
        ] as const) {
          const r = ratio(measured, expected);
          if (r === null || (worst && Math.abs(Math.log(r)) <= Math.abs(Math.log(worst.r)))) continue;
          // A table that grew during prefill (sharded: one shard filled up) no longer sits at α.
          const grew = cell !== undefined && cell.summary.endLoadFactor < lf * 0.97;
          worst = { lf, kind, r, grew };
        }
      }
      out.push(
        worst
          ? {
              text: `${map}: mean probes stay within ${fmt(Math.abs(worst.r - 1) * 100, 2)}% of Knuth's expectation (largest gap: ${worst.kind === 'hit' ? 'hits' : 'misses'} at load factor ${worst.lf}, measured/expected ${fmt(worst.r)}${worst.grew ? '; that table grew during prefill, so it no longer sat at that load factor' : ''})`,
              value: worst.r,
            }
          : { text: `${map}: no statistics pass in this file, so probe lengths were not measured`, value: null },
      );
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const lfs = loadFactors(doc);
    const line = (id: string, title: string, yLabel: string, y: (map: string, lf: number) => number | null, yLog = true): ScenarioChart => ({
      id, title, kind: 'line', xLabel: 'load factor', yLabel, xType: 'value', yLog,
      series: maps(doc).map((map) => ({ name: map, points: lfs.map((lf) => [lf, y(map, lf)] as [number, number | null]) })),
    });
    return [
      line('lf-knee-p99-miss', 'p99 of a get that misses', 'ns', (map, lf) => latencyOf(findCell(doc, { map, loadFactor: lf, mix: 'miss' }), 'getMiss', 'p99Ns')),
      line('lf-knee-p99-hit', 'p99 of a get that hits', 'ns', (map, lf) => latencyOf(findCell(doc, { map, loadFactor: lf, mix: 'C' }), 'getHit', 'p99Ns')),
      line('lf-knee-qps-miss', 'Throughput of gets that miss', 'ops/s', (map, lf) => qpsOf(findCell(doc, { map, loadFactor: lf, mix: 'miss' }))),
      {
        ...line('lf-knee-probes', 'Mean probes per miss: measured and Knuth', 'probes', (map, lf) => findCell(doc, { map, loadFactor: lf, mix: 'miss' })?.stats?.meanProbeMiss ?? null),
        series: [
          ...maps(doc).map((map) => ({
            name: `${map} miss`,
            points: lfs.map((lf) => [lf, findCell(doc, { map, loadFactor: lf, mix: 'miss' })?.stats?.meanProbeMiss ?? null] as [number, number | null]),
          })),
          { name: 'Knuth miss ½(1+1/(1−α)²)', points: lfs.map((lf) => [lf, knuthMiss(lf)] as [number, number]) },
          { name: 'Knuth hit ½(1+1/(1−α))', points: lfs.map((lf) => [lf, knuthHit(lf)] as [number, number]) },
        ],
      },
    ];
  },

  tables(doc): ScenarioTable[] {
    const rows: ScenarioTable['rows'] = [];
    for (const map of maps(doc)) {
      for (const lf of loadFactors(doc)) {
        const hit = findCell(doc, { map, loadFactor: lf, mix: 'C' })?.stats?.meanProbeHit ?? null;
        const miss = findCell(doc, { map, loadFactor: lf, mix: 'miss' })?.stats?.meanProbeMiss ?? null;
        rows.push([
          map, lf, fmt(hit), fmt(knuthHit(lf)), fmt(ratio(hit, knuthHit(lf))), fmt(miss), fmt(knuthMiss(lf)), fmt(ratio(miss, knuthMiss(lf))),
          nsText(latencyOf(findCell(doc, { map, loadFactor: lf, mix: 'miss' }), 'getMiss', 'p99Ns')),
        ]);
      }
    }
    return [{
      title: 'Mean probe lengths against Knuth',
      columns: ['map', 'load factor', 'hit: measured', 'hit: Knuth', 'ratio', 'miss: measured', 'miss: Knuth', 'ratio', 'p99 miss'],
      rows,
    }];
  },
};
