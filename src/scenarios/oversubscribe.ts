// oversubscribe: more threads than cores. A spinning lock holder that is
// preempted keeps every waiter spinning through its time slice; a mutex
// puts them to sleep; a lock-free map has no holder to preempt. Threads 1,
// 2, 4 and 8 on whatever cores the machine has.
import { distinct, findCell, type Finding, fmt, latencyOf, mostThreads, nsText, qpsOf, ratio, type Scenario, type ScenarioChart } from './scenario.js';

const MAPS = ['spin', 'mutex', 'sharded:spin', 'sharded', 'lockfree'];

export const oversubscribe: Scenario = {
  name: 'oversubscribe',
  title: 'More threads than cores: lock-holder preemption',
  claim: 'Spin locks collapse when threads outnumber cores (a preempted holder stalls every spinner); blocking locks and lock-free maps degrade gracefully.',
  flags: {
    maps: MAPS.join(','),
    threads: '1,2,4,8',
    keys: '1e5',
    loadFactors: '0.5',
    mix: 'A',
    mode: 'both',
    repeat: '3',
    duration: '0.5s',
    warmup: '0.05s',
    // With more threads than cores a thread can be off its CPU, or spinning
    // behind a preempted lock holder, for whole time slices when the
    // measured phase starts (spin at 8 threads: 208 ms in one run). That
    // skew is the phenomenon this scenario measures, so no run is rejected
    // for it; throughput is still ops over the union of the threads' windows.
    maxSkew: '100%',
  },
  smoke: { threads: '1,4', keys: '4096', duration: '0.1s' },

  findings(doc) {
    const threads = (distinct(doc, 'threads') as number[]).sort((a, b) => a - b);
    const top = threads[threads.length - 1]!;
    const fit = mostThreads(doc);
    const out: Finding[] = [];
    for (const map of distinct(doc, 'map') as string[]) {
      const r = ratio(qpsOf(findCell(doc, { map, threads: top })), qpsOf(findCell(doc, { map, threads: fit })));
      const p999 = latencyOf(findCell(doc, { map, threads: top }), 'overall', 'p999Ns');
      out.push({
        text: `${map}: ${top} threads on ${doc.environment.logicalCores} cores keep ${fmt(r)}× the throughput of ${fit}; p99.9 ${nsText(p999)}`,
        value: r,
      });
    }
    const spin = latencyOf(findCell(doc, { map: 'spin', threads: top }), 'overall', 'p999Ns');
    const mutex = latencyOf(findCell(doc, { map: 'mutex', threads: top }), 'overall', 'p999Ns');
    out.push({ text: `at ${top} threads the spin lock's p99.9 is ${fmt(ratio(spin, mutex))}× the mutex's`, value: ratio(spin, mutex) });
    return out;
  },

  charts(doc): ScenarioChart[] {
    const threads = (distinct(doc, 'threads') as number[]).sort((a, b) => a - b);
    const maps = distinct(doc, 'map') as string[];
    const line = (id: string, title: string, yLabel: string, y: (map: string, t: number) => number | null): ScenarioChart => ({
      id, title, kind: 'line', xLabel: 'threads', yLabel, xType: 'log', yLog: true,
      series: maps.map((map) => ({ name: map, points: threads.map((t) => [t, y(map, t)] as [number, number | null]) })),
    });
    return [
      line('oversubscribe-qps', 'Throughput vs threads', 'ops/s', (map, t) => qpsOf(findCell(doc, { map, threads: t }))),
      line('oversubscribe-p999', 'p99.9 latency vs threads', 'ns', (map, t) => latencyOf(findCell(doc, { map, threads: t }), 'overall', 'p999Ns')),
    ];
  },
};
