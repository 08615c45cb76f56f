// stepped: open-loop load in steps. Each thread issues ops on a fixed
// schedule and every op's latency runs from when it was due (the
// coordinated-omission correction wrk2 makes), so a map that cannot keep up
// shows it twice: achieved < offered, and latency that grows with the
// backlog. The knee is the first step where achieved < 95% of offered or
// p99 exceeds 10× the first step's.
// Achieved rates are the cut-off figures: a thread behind schedule stops
// issuing at the deadline, so achieved = ops issued in the duration, and the
// ops it did not reach are the step's missed ops (shown beside it).
import {
  distinct, findCell, type Finding, fmt, latencyOf, mops, nsText, qpsOf, type Scenario, type ScenarioChart, type ScenarioTable,
} from './scenario.js';
import type { CellRecordOk, ResultFile } from '../schema.js';

const MAPS = ['mutex', 'sharded', 'lockfree'];

function rates(doc: ResultFile): number[] {
  return (distinct(doc, 'rate') as Array<number | null | undefined>).filter((r): r is number => typeof r === 'number').sort((a, b) => a - b);
}

/** The share of the measured schedules' ops that fell due but were not issued; null for files without the count. */
export function missedShareOf(c: CellRecordOk | undefined): number | null {
  const reps = (c?.repeats ?? []).filter((r) => r.pass === 'latency' && r.missedOps !== undefined);
  if (reps.length === 0) return null;
  const missed = reps.reduce((a, r) => a + r.missedOps!, 0);
  const due = reps.reduce((a, r) => a + r.ops + r.missedOps!, 0);
  return due > 0 ? missed / due : null;
}

/** The first offered rate where the map fell behind or its p99 rose 10× over the first step; null if none. */
export function kneeOf(doc: ResultFile, map: string): { rate: number; why: string } | null {
  const steps = rates(doc);
  const first = latencyOf(findCell(doc, { map, rate: steps[0] }), 'overall', 'p99Ns');
  for (const rate of steps) {
    const c = findCell(doc, { map, rate });
    const achieved = qpsOf(c);
    if (achieved !== null && achieved < 0.95 * rate) {
      const missed = missedShareOf(c);
      const share = missed === null ? '' : `, ${fmt(missed * 100)}% of its ops missed`;
      return { rate, why: `achieved ${mops(achieved)} of ${mops(rate)} offered${share}` };
    }
    const p99 = latencyOf(c, 'overall', 'p99Ns');
    if (p99 !== null && first !== null && p99 > 10 * first) return { rate, why: `p99 ${nsText(p99)}, over 10× the first step's ${nsText(first)}` };
  }
  return null;
}

export const stepped: Scenario = {
  name: 'stepped',
  title: 'Open-loop steps: achieved against offered rate',
  claim: 'Closed-loop benchmarks hide saturation; under a fixed offered rate (coordinated omission corrected) latency explodes past the knee.',
  flags: {
    maps: MAPS.join(','),
    mix: 'cart',
    threads: '2',
    keys: '1e5',
    loadFactors: '0.5',
    mode: 'latency',
    rate: '5e5,1e6,2e6,4e6,8e6,16e6,32e6',
    repeat: '2',
    duration: '0.2s',
    warmup: '0.02s',
  },
  smoke: { rate: '1e5,1e6', keys: '4096', duration: '20ms' },

  findings(doc) {
    const out: Finding[] = [];
    for (const map of distinct(doc, 'map') as string[]) {
      const k = kneeOf(doc, map);
      const steps = rates(doc);
      out.push(
        k
          ? { text: `${map}: the knee is at ${mops(k.rate)} offered (${k.why})`, value: k.rate }
          : { text: `${map}: no knee up to ${mops(steps[steps.length - 1] ?? null)} offered`, value: null },
      );
    }
    // Saturation read from the achieved rates alone, which timer interrupts
    // and preemptions (the p99 criterion's noise on a small VM) do not move.
    for (const map of distinct(doc, 'map') as string[]) {
      const best = Math.max(0, ...rates(doc).map((rate) => qpsOf(findCell(doc, { map, rate })) ?? 0));
      out.push({ text: `${map}: the most it achieved at any step is ${mops(best)}`, value: best || null });
    }
    return out;
  },

  charts(doc): ScenarioChart[] {
    const maps = distinct(doc, 'map') as string[];
    const steps = rates(doc);
    const line = (id: string, title: string, yLabel: string, y: (map: string, rate: number) => number | null): ScenarioChart => ({
      id, title, kind: 'line', xLabel: 'offered ops/s', yLabel, xType: 'log', yLog: true,
      series: maps.map((map) => ({ name: map, points: steps.map((r) => [r, y(map, r)] as [number, number | null]) })),
    });
    const achieved = line('stepped-achieved', 'Achieved vs offered rate', 'achieved ops/s', (map, rate) => qpsOf(findCell(doc, { map, rate })));
    achieved.series.push({ name: 'offered', points: steps.map((r) => [r, r] as [number, number]) });
    return [
      achieved,
      line('stepped-p99', 'p99 latency from the intended start', 'ns', (map, rate) => latencyOf(findCell(doc, { map, rate }), 'overall', 'p99Ns')),
      line('stepped-p999', 'p99.9 latency from the intended start', 'ns', (map, rate) => latencyOf(findCell(doc, { map, rate }), 'overall', 'p999Ns')),
    ];
  },

  tables(doc): ScenarioTable[] {
    const rows: ScenarioTable['rows'] = [];
    for (const map of distinct(doc, 'map') as string[]) {
      const knee = kneeOf(doc, map)?.rate ?? null;
      for (const rate of rates(doc)) {
        const c = findCell(doc, { map, rate });
        const achieved = qpsOf(c);
        const missed = missedShareOf(c);
        rows.push([
          map, mops(rate), mops(achieved), achieved === null ? 'n/a' : `${fmt((achieved / rate) * 100)}%`,
          missed === null ? 'n/a' : `${fmt(missed * 100)}%`,
          nsText(latencyOf(c, 'overall', 'p50Ns')), nsText(latencyOf(c, 'overall', 'p99Ns')), nsText(latencyOf(c, 'overall', 'p999Ns')),
          knee === rate ? 'knee' : '',
        ]);
      }
    }
    return [{ title: 'Each step: offered, achieved, latency from the intended start', columns: ['map', 'offered', 'achieved', 'achieved / offered', 'missed', 'p50', 'p99', 'p99.9', ''], rows }];
  },
};
