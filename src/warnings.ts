// The catalogue of warnings a run can carry. Each says what was seen and
// what to do; all are saved in the result file, and printed grouped by
// code (one line per kind, its worst instance: the highest severity).
import type { WarningRecord } from './schema.js';

export const WARNINGS = {
  oversubscribed: (threads: number, cores: number) => ({
    message: `${threads} threads on ${cores} cores: threads share CPUs (oversubscribed)`,
    advice: 'read these cells as an oversubscription study, not as scaling; use --threads <= cores for scaling',
  }),
  highVariance: (spreadPct: number) => ({
    severity: spreadPct,
    message: `throughput spread across repeats is ${spreadPct.toFixed(1)}% (> 5%)`,
    advice: 'quiet the machine, pin with --cpus, lengthen --duration or raise --repeat',
  }),
  ciMissed: (ciPct: number | null, repeats: number, targetPct: number, stoppedBy: string) => ({
    // No interval at all (too few repeats) ranks worst.
    severity: ciPct ?? 1e9,
    message:
      ciPct === null
        ? `after ${repeats} repeats (${stoppedBy === 'time' ? '--max-cell-time spent' : 'the most allowed'}) there are too few for a 95% interval of the median (target ±${targetPct}%)`
        : `the 95% interval of the median throughput is ±${ciPct.toFixed(1)}% after ${repeats} repeats (target ±${targetPct}%, ${stoppedBy === 'time' ? '--max-cell-time spent' : 'most repeats reached'})`,
    advice: 'quiet the machine or pin with --cpus; or raise --max-cell-time, lengthen --duration',
  }),
  fewRepeats: (repeat: number) => ({
    message: `only ${repeat} repeat(s) per cell`,
    advice: 'use --repeat 5 or more for results you intend to compare',
  }),
  noHugePages: (mode: string) => ({
    message: `transparent huge pages are '${mode}': large tables sit on 4 KiB pages`,
    advice: 'TLB misses will inflate random-access costs; enable THP (madvise) to compare with other machines',
  }),
  debugBuild: () => ({
    message: 'the addon is a debug/sanitizer build',
    advice: 'rebuild with npm run build before measuring',
  }),
  latencyOverhead: (ratio: number) => ({
    severity: 1 - ratio,
    message: `latency-mode throughput is ${(ratio * 100).toFixed(0)}% of throughput mode (timer overhead > 25%)`,
    advice: 'raise --sample-every; quote latency percentiles knowing the timed ops ran serialised',
  }),
  startSkew: (skewNs: number, durationSeconds: number) => ({
    severity: skewNs,
    message: `threads began measuring up to ${(skewNs / 1e3).toFixed(1)} µs apart (${((skewNs / 1e9 / durationSeconds) * 100).toFixed(2)}% of the run)`,
    advice: 'a longer --warmup absorbs late starts; fewer threads than cores keeps the start gate tight',
  }),
  skewRetried: () => ({
    message: 'a run was discarded and rerun because its threads began measuring further apart than --max-skew allows',
    advice: 'a longer --warmup or --duration makes this rarer; a machine busy with other work makes it likelier',
  }),
  skewExceeded: (reruns: number) => ({
    message: `threads began measuring further apart than --max-skew allows in every run, reruns (${reruns}) included: the cell's figures are kept and marked unreliable`,
    advice: 'quiet the machine (other work steals the CPUs), use fewer threads than cores, or lengthen --warmup; --strict makes unreliable cells fail the run',
  }),
  migrated: (thread: number, from: number, to: number) => ({
    message: `thread ${thread} pinned to CPU ${from} ended on CPU ${to}`,
    advice: 'check that --cpus lists CPUs this process may use',
  }),
  streamCoverage: (coverage: number, expected: number, ops: number, ideal: number, given: boolean) => ({
    severity: expected - coverage,
    message: `the op streams touch ${(coverage * 100).toFixed(1)}% of the keys (${ops} ops per thread); this distribution would reach ${(expected * 100).toFixed(1)}% with the full-length streams (${ideal} ops per thread)`,
    advice: given
      ? 'the figures measure a smaller working set than --keys names: drop --stream-length (auto) or lengthen it'
      : 'the figures measure a smaller working set than --keys names: raise --stream-budget, or use fewer keys',
  }),
  tscNotInvariant: (missing: string[]) => ({
    message:
      missing.length === 0
        ? 'whether the TSC is invariant is unknown (no flags in /proc/cpuinfo)'
        : `the TSC is not invariant: /proc/cpuinfo lacks ${missing.join(' and ')}`,
    advice:
      'phase deadlines, latencies and the linearizability check read the TSC on every core as one clock at one rate; run on a machine whose TSC is invariant before trusting them',
  }),
  u64OnlyMaps: (maps: string[], keyTypes: string[]) => ({
    message: `${maps.join(', ')} ${maps.length === 1 ? 'has' : 'have'} no string-key form: ${maps.length === 1 ? 'its' : 'their'} ${keyTypes.join(', ')} cells are left out (u64 cells only)`,
    advice: 'read string-keyed cells without the ×floor ratio; the hash calibration (ns per key) frames them instead',
  }),
  marchNative: () => ({
    message: 'the addon was built with -march=native',
    advice: 'results are specific to this CPU model; compare only with the same build',
  }),
} as const;

export type WarningCode = keyof typeof WARNINGS;

/** Collects warnings, each (code, cell) once. */
export class WarningLog {
  readonly records: WarningRecord[] = [];
  private seen = new Set<string>();

  add<C extends WarningCode>(code: C, args: Parameters<(typeof WARNINGS)[C]>, cellKey?: string): WarningRecord | null {
    const id = `${code}|${cellKey ?? ''}`;
    if (this.seen.has(id)) return null;
    this.seen.add(id);
    const fn = WARNINGS[code] as (...a: Parameters<(typeof WARNINGS)[C]>) => { message: string; advice: string; severity?: number };
    const record: WarningRecord = { code, ...fn(...args), ...(cellKey ? { cellKey } : {}) };
    this.records.push(record);
    return record;
  }
}
