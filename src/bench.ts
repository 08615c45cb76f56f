// The bench run: the matrix, scheduled as units (pass × repeat × cell),
// executed one at a time against the lab, written after every completed
// cell. Interruption keeps every completed cell.
import os from 'node:os';

import { CellError, cellRecord, type PassOutcome, runPass, type RunUnit, unitsFor } from './cell-runner.js';
import { configRecord, type ResolvedConfig } from './config.js';
import type { Lab } from './lab.js';
import { buildMatrix } from './matrix.js';
import { type CellRecord, type Environment, RESULT_KIND, type ResultFile, SCHEMA_VERSION } from './schema.js';
import { WarningLog } from './warnings.js';
import { Rng } from './rng.js';

export interface BenchHooks {
  /** After every unit (done of total), for progress display. */
  onUnit?(done: number, total: number, unit: RunUnit): void;
  onCell?(record: CellRecord): void;
  /** Persists the document; called after every completed cell and at the end. */
  write(doc: ResultFile): void;
  now?(): Date;
}

export interface BenchControl {
  aborted: boolean;
}

const SKEW_WARN_FRACTION = 0.01;
const SKEW_RETRIES = 2;

export async function runBench(
  cfg: ResolvedConfig,
  lab: Lab,
  environment: Environment,
  hooks: BenchHooks,
  control: BenchControl,
): Promise<ResultFile> {
  const now = hooks.now ?? (() => new Date());
  const cells = buildMatrix(cfg);
  const units = unitsFor(cells, cfg);
  if (cfg.interleave) new Rng(cfg.seed).shuffle(units);
  const hz = environment.tscHz;
  const warnings = new WarningLog();
  globalWarnings(cfg, environment, warnings);

  const doc: ResultFile = {
    schemaVersion: SCHEMA_VERSION,
    kind: RESULT_KIND,
    status: 'running',
    startedAt: now().toISOString(),
    updatedAt: now().toISOString(),
    environment,
    config: configRecord(cfg),
    warnings: warnings.records,
    ...(cfg.scenario !== null ? { scenario: cfg.scenario } : {}),
    cells: [],
  };
  const save = () => {
    doc.updatedAt = now().toISOString();
    hooks.write(doc);
  };
  save();

  const remaining = new Map<string, number>();
  for (const u of units) remaining.set(u.cell.key, (remaining.get(u.cell.key) ?? 0) + 1);
  const outcomes = new Map<string, PassOutcome[]>();
  const failed = new Set<string>();

  const finishCell = (record: CellRecord) => {
    doc.cells.push(record);
    hooks.onCell?.(record);
    save();
  };

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
    hooks.onUnit?.(++done, units.length, unit);
  }
  doc.status = control.aborted ? 'interrupted' : 'complete';
  save();
  return doc;
}

function globalWarnings(cfg: ResolvedConfig, env: Environment, w: WarningLog): void {
  const cores = os.availableParallelism();
  const most = Math.max(...cfg.threads);
  if (most > cores) w.add('oversubscribed', [most, cores]);
  if (cfg.repeat < 5) w.add('fewRepeats', [cfg.repeat]);
  if (cfg.hugePages && !['always', 'madvise'].includes(env.build.transparentHugePages)) {
    w.add('noHugePages', [env.build.transparentHugePages]);
  }
  if (env.build.debug) w.add('debugBuild', []);
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
  if (tp && tp.n > 1 && tp.spreadPct > 5) w.add('highVariance', [tp.spreadPct], r.key);
  const lat = r.summary.latencyOpsPerSec;
  if (tp && lat && tp.median > 0 && lat.median / tp.median < 0.75) w.add('latencyOverhead', [lat.median / tp.median], r.key);
}
