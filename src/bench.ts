// The bench run: the matrix, scheduled as units (pass × repeat × cell),
// executed one at a time against the lab, written after every completed
// cell. With a fixed --repeat the units are planned up front; with --repeat
// auto they are planned round by round (runAdaptive). Interruption keeps
// every completed cell.
import os from 'node:os';

import { CellError, cellRecord, measuredPasses, type Pass, type PassOutcome, runPass, type RunUnit, unitsFor, wantsStats } from './cell-runner.js';
import { type AdaptivePlan, configRecord, type ResolvedConfig } from './config.js';
import type { Lab } from './lab.js';
import { buildMatrix, type Cell } from './matrix.js';
import { MEDIAN_CI_LEVEL, type MedianInterval, medianInterval } from './stats.js';
import { type CellRecord, type Environment, type HashCostRecord, RESULT_KIND, type ResultFile, SCHEMA_VERSION } from './schema.js';
import { WarningLog } from './warnings.js';
import { Rng } from './rng.js';

export interface BenchHooks {
  /**
   * After every unit (done of total, total as now planned: --repeat auto
   * plans as it goes), for progress display; etaSeconds is the units left
   * times the mean duration of the units run so far.
   */
  onUnit?(done: number, total: number, unit: RunUnit, etaSeconds: number): void;
  onCell?(record: CellRecord): void;
  /** Persists the document; called after every completed cell and at the end. */
  write(doc: ResultFile): void;
  now?(): Date;
  /** Monotonic seconds, for cell budgets and the ETA (default: performance.now()). */
  clock?(): number;
}

export interface BenchControl {
  aborted: boolean;
}

const SKEW_WARN_FRACTION = 0.01;
/** How long the hash calibration hashes each string key type's arena. */
export const HASH_COST_SECONDS = 0.1;

/**
 * The string hash's own cost per key, once per string key type of the run (none for u64 alone),
 * measured before the cells over an arena spelled from the run's seed.
 */
export function hashCalibration(cfg: ResolvedConfig, lab: Lab): Record<string, HashCostRecord> | null {
  const strings = cfg.keyTypes.filter((k) => k.strings);
  if (strings.length === 0) return null;
  const keys = Math.max(...cfg.keys);
  return Object.fromEntries(
    strings.map((k) => {
      const c = lab.hashCost(k.name, keys, cfg.seed, HASH_COST_SECONDS);
      return [k.name, { hash: k.hash, nsPerKey: c.nsPerKey, meanBytes: c.meanBytes, keysHashed: c.keysHashed, seconds: HASH_COST_SECONDS }];
    }),
  );
}
const SKEW_RETRIES = 2;

export async function runBench(
  cfg: ResolvedConfig,
  lab: Lab,
  environment: Environment,
  hooks: BenchHooks,
  control: BenchControl,
): Promise<ResultFile> {
  const now = hooks.now ?? (() => new Date());
  const clock = hooks.clock ?? (() => performance.now() / 1e3);
  const cells = buildMatrix(cfg);
  const hz = environment.tscHz;
  const warnings = new WarningLog();
  globalWarnings(cfg, environment, warnings);
  const hashCost = hashCalibration(cfg, lab);

  const doc: ResultFile = {
    schemaVersion: SCHEMA_VERSION,
    kind: RESULT_KIND,
    generator: 'mapbench',
    status: 'running',
    startedAt: now().toISOString(),
    updatedAt: now().toISOString(),
    environment,
    config: configRecord(cfg),
    warnings: warnings.records,
    ...(cfg.scenario !== null ? { scenario: cfg.scenario } : {}),
    ...(hashCost ? { calibration: { hashCost } } : {}),
    cells: [],
  };
  const save = () => {
    doc.updatedAt = now().toISOString();
    hooks.write(doc);
  };
  save();

  if (cfg.adaptive) {
    await runAdaptive(cells, cfg, lab, hz, warnings, { ...hooks, clock }, control, finishCell);
    doc.status = control.aborted ? 'interrupted' : 'complete';
    save();
    return doc;
  }

  const units = unitsFor(cells, cfg);
  if (cfg.interleave) new Rng(cfg.seed).shuffle(units);
  const started = clock();
  const remaining = new Map<string, number>();
  for (const u of units) remaining.set(u.cell.key, (remaining.get(u.cell.key) ?? 0) + 1);
  const outcomes = new Map<string, PassOutcome[]>();
  const failed = new Set<string>();

  function finishCell(record: CellRecord) {
    doc.cells.push(record);
    hooks.onCell?.(record);
    save();
  }

  let done = 0;
  for (const unit of units) {
    if (control.aborted) break;
    const key = unit.cell.key;
    if (!failed.has(key)) {
      try {
        const outcome = await runWithRetries(unit, cfg, lab, hz, warnings);
        (outcomes.get(key) ?? outcomes.set(key, []).get(key)!).push(outcome);
      } catch (e) {
        if (control.aborted) break; // the unit in flight was stopped by the interruption: drop it
        failed.add(key);
        const message = e instanceof CellError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
        finishCell({
          key,
          status: 'failed',
          params: unit.cell.params,
          error: message,
          repeats: (outcomes.get(key) ?? []).map((o) => o.record),
        });
      }
    }
    const left = remaining.get(key)! - 1;
    remaining.set(key, left);
    if (left === 0 && !failed.has(key)) {
      const record = cellRecord(unit.cell, outcomes.get(key)!, lab, hz);
      cellWarnings(record, warnings);
      finishCell(record);
      outcomes.delete(key);
    }
    done++;
    hooks.onUnit?.(done, units.length, unit, ((clock() - started) / done) * (units.length - done));
  }
  doc.status = control.aborted ? 'interrupted' : 'complete';
  save();
  return doc;
}

function globalWarnings(cfg: ResolvedConfig, env: Environment, w: WarningLog): void {
  const cores = os.availableParallelism();
  const most = Math.max(...cfg.threads);
  if (most > cores) w.add('oversubscribed', [most, cores]);
  if (cfg.adaptive === null && cfg.repeat < 5) w.add('fewRepeats', [cfg.repeat]);
  if (cfg.hugePages && !['always', 'madvise'].includes(env.build.transparentHugePages)) {
    w.add('noHugePages', [env.build.transparentHugePages]);
  }
  if (env.build.debug) w.add('debugBuild', []);
  const strings = cfg.keyTypes.filter((k) => k.strings).map((k) => k.name);
  const u64Only = cfg.maps.filter((m) => !m.stringKeys).map((m) => m.label);
  if (strings.length > 0 && u64Only.length > 0) w.add('u64OnlyMaps', [u64Only, strings]);
  if (env.build.marchNative) w.add('marchNative', []);
  // Files and fakes from before the flags were recorded carry no tscInvariant: nothing to say.
  const tsc = env.tscInvariant;
  if (tsc === null) w.add('tscNotInvariant', [[]]);
  else if (tsc && !(tsc.constantTsc && tsc.nonstopTsc)) {
    w.add('tscNotInvariant', [[...(tsc.constantTsc ? [] : ['constant_tsc']), ...(tsc.nonstopTsc ? [] : ['nonstop_tsc'])]]);
  }
}

/**
 * Runs a unit, rerunning it (up to SKEW_RETRIES times) when its threads'
 * measured windows started further apart than --max-skew — on a machine with as many busy
 * threads as cores, one preemption at the wrong moment does that. When every
 * attempt is skewed, the attempt whose threads started closest together is
 * kept, marked unreliable: skew is noise in the figure, not a fault of the
 * run. Any other error (a dying worker, a failed check) propagates and fails
 * the cell.
 */
async function runWithRetries(unit: RunUnit, cfg: ResolvedConfig, lab: Lab, hz: number, w: WarningLog): Promise<PassOutcome> {
  const key = unit.cell.key;
  let best: PassOutcome | null = null;
  for (let attempt = 0; attempt <= SKEW_RETRIES; attempt++) {
    if (attempt > 0) w.add('skewRetried', [], key);
    const outcome = await runPass(unit, cfg, lab, hz);
    if (skewFailure(outcome, cfg) === null) {
      passWarnings(outcome, cfg, w, key);
      return outcome;
    }
    if (best === null || outcome.record.windowSkewNs < best.record.windowSkewNs) best = outcome;
  }
  const kept = best!;
  kept.unreliable = `${skewFailure(kept, cfg)!}, in each of ${SKEW_RETRIES + 1} attempts`;
  w.add('skewExceeded', [SKEW_RETRIES], key);
  passWarnings(kept, cfg, w, key);
  return kept;
}

/** Why a pass's threads did not measure together closely enough for --max-skew, or null when they did. */
function skewFailure(o: PassOutcome, cfg: ResolvedConfig): string | null {
  const fraction = o.record.windowSkewNs / 1e9 / cfg.durationSeconds;
  if (fraction <= cfg.maxSkew) return null;
  const ns = o.record.windowSkewNs;
  const apart = ns >= 1e4 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`;
  return `threads began measuring ${apart} apart, more than ${Number((cfg.maxSkew * 100).toPrecision(6))}% of the ${cfg.durationSeconds}s run (--max-skew)`;
}

function passWarnings(o: PassOutcome, cfg: ResolvedConfig, w: WarningLog, key: string): void {
  const fraction = o.record.windowSkewNs / 1e9 / cfg.durationSeconds;
  if (fraction > SKEW_WARN_FRACTION && o.unreliable === undefined) w.add('startSkew', [o.record.windowSkewNs, cfg.durationSeconds], key);
  for (const t of o.record.threads) {
    if (t.cpuPinned !== null && t.cpuEnd !== t.cpuPinned) w.add('migrated', [t.threadIndex, t.cpuPinned, t.cpuEnd], key);
  }
}

/** Coverage this far below what the distribution gives at the ideal length is worth a warning. */
const COVERAGE_SHORTFALL = 0.01;

function cellWarnings(r: CellRecord, w: WarningLog): void {
  if (r.status !== 'ok') return;
  const st = r.stream;
  if (st && (st.given || st.budgetCapped) && st.coverage < st.expectedCoverageAtIdeal - COVERAGE_SHORTFALL) {
    w.add('streamCoverage', [st.coverage, st.expectedCoverageAtIdeal, st.opsPerThread, st.idealOpsPerThread, st.given], r.key);
  }
  const tp = r.summary.opsPerSec;
  const pr = r.precision;
  // With --repeat auto the interval of the median is the noise measure, and only cells that missed its target warn.
  if (pr) {
    if (pr.stoppedBy !== 'target') w.add('ciMissed', [pr.ciPct, pr.repeats, pr.targetCiPct, pr.stoppedBy], r.key);
  } else if (tp && tp.n > 1 && tp.spreadPct > 5) w.add('highVariance', [tp.spreadPct], r.key);
  const lat = r.summary.latencyOpsPerSec;
  if (tp && lat && tp.median > 0 && lat.median / tp.median < 0.75) w.add('latencyOverhead', [lat.median / tp.median], r.key);
}

interface CellRun {
  cell: Cell;
  outcomes: PassOutcome[];
  repeats: number;
  seconds: number;
  stoppedBy: 'target' | 'time' | 'maxRepeats' | null;
  ci: MedianInterval | null;
}

/** Throughput figures a cell's stopping rule reads: its throughput passes, or latency passes where it has none. */
function rates(run: CellRun): number[] {
  const tp = run.outcomes.filter((o) => o.record.pass === 'throughput');
  return (tp.length ? tp : run.outcomes.filter((o) => o.record.pass === 'latency')).map((o) => o.record.opsPerSec);
}

/**
 * The stopping rule of --repeat auto, after a cell's latest repeat: null to go
 * on, else why it stops. The target is checked first, so a cell that reaches
 * it on its last allowed repeat counts as having reached it.
 */
export function stopReason(
  values: number[],
  seconds: number,
  plan: AdaptivePlan,
): { stop: 'target' | 'time' | 'maxRepeats' | null; ci: MedianInterval | null } {
  const ci = medianInterval(values);
  if (values.length < plan.minRepeats) return { stop: null, ci };
  if (ci !== null && ci.halfWidthPct <= plan.targetCiPct) return { stop: 'target', ci };
  if (values.length >= plan.maxRepeats) return { stop: 'maxRepeats', ci };
  if (seconds >= plan.maxCellSeconds) return { stop: 'time', ci };
  return { stop: null, ci };
}

/**
 * --repeat auto: rounds over the cells still running, one repeat (all its
 * passes) of each per round, so slow drift of the machine (heat, other work)
 * spreads over every cell rather than landing on the last ones. A cell leaves
 * the rotation when stopReason says so; then its statistics pass runs and the
 * cell is recorded. Interruption drops only the cells not yet recorded.
 */
async function runAdaptive(
  cells: Cell[],
  cfg: ResolvedConfig,
  lab: Lab,
  hz: number,
  w: WarningLog,
  hooks: BenchHooks & { clock(): number },
  control: BenchControl,
  finishCell: (r: CellRecord) => void,
): Promise<void> {
  const plan = cfg.adaptive!;
  const passesOf = (c: Cell): Pass[] => measuredPasses(c, cfg);
  const runs: CellRun[] = cells.map((cell) => ({ cell, outcomes: [], repeats: 0, seconds: 0, stoppedBy: null, ci: null }));
  let running = runs;
  const started = hooks.clock();
  let done = 0;
  // Units still expected: the running cells' passes up to the minimum (or one more round), plus their statistics passes.
  const planned = () =>
    done +
    running.reduce((a, r) => a + passesOf(r.cell).length * Math.max(plan.minRepeats - r.repeats, 1) + (wantsStats(r.cell, cfg) ? 1 : 0), 0);
  const tick = (unit: RunUnit) => {
    done++;
    const total = planned();
    hooks.onUnit?.(done, total, unit, ((hooks.clock() - started) / done) * (total - done));
  };
  const rotation = new Rng(cfg.seed);
  while (running.length > 0 && !control.aborted) {
    const round = [...running];
    if (cfg.interleave) rotation.shuffle(round);
    for (const run of round) {
      if (control.aborted) break;
      const key = run.cell.key;
      try {
        const t0 = hooks.clock();
        for (const pass of passesOf(run.cell)) {
          const unit: RunUnit = { cell: run.cell, repeat: run.repeats, pass };
          run.outcomes.push(await runWithRetries(unit, cfg, lab, hz, w));
          tick(unit);
        }
        run.seconds += hooks.clock() - t0;
        run.repeats++;
        const { stop, ci } = stopReason(rates(run), run.seconds, plan);
        run.ci = ci;
        if (stop === null) continue;
        run.stoppedBy = stop;
        if (wantsStats(run.cell, cfg)) {
          const unit: RunUnit = { cell: run.cell, repeat: 0, pass: 'stats' };
          run.outcomes.push(await runWithRetries(unit, cfg, lab, hz, w));
          tick(unit);
        }
        const record = cellRecord(run.cell, run.outcomes, lab, hz);
        if (record.status === 'ok') {
          record.precision = {
            repeats: run.repeats,
            ciPct: ci ? ci.halfWidthPct : null,
            level: MEDIAN_CI_LEVEL,
            coverage: ci ? ci.coverage : null,
            targetCiPct: plan.targetCiPct,
            stoppedBy: stop,
            seconds: run.seconds,
          };
        }
        cellWarnings(record, w);
        finishCell(record);
      } catch (e) {
        if (control.aborted) break; // the unit in flight was stopped by the interruption: drop it
        const message = e instanceof CellError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
        run.stoppedBy = 'maxRepeats';
        finishCell({ key, status: 'failed', params: run.cell.params, error: message, repeats: run.outcomes.map((o) => o.record) });
      }
    }
    running = running.filter((r) => r.stoppedBy === null);
  }
}
