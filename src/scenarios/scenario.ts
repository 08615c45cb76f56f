// Scenarios: named, one-command studies. A scenario is a preset of bench
// flags (src/scenarios/<name>.ts) plus the code that reads its result file
// back: findings (sentences with the number they state, computed from the
// cells, never typed in), charts and tables. The bench CLI runs the preset
// and prints the findings; the report draws the charts and tables; the
// tests feed synthetic result files to the same functions.
import type { RawOptions } from '../config.js';
import type { CellParams, CellRecordOk, LatencyStats, ResultFile } from '../schema.js';

/** One sentence computed from the data, with the figure it states. */
export interface Finding {
  text: string;
  /** The headline figure (a ratio, a share, a rate); null when the data could not give it. */
  value: number | null;
}

/** A point series for a line or bar chart; y null = no data at that x. */
export interface ScenarioSeries {
  name: string;
  points: Array<[x: number | string, y: number | null]>;
}

/** A chart as plain data; the report turns it into an ECharts option. */
export interface ScenarioChart {
  id: string;
  title: string;
  kind: 'line' | 'bar';
  xLabel: string;
  yLabel: string;
  /** 'category' for string x values (mixes, pads), 'value' or 'log' for numbers. */
  xType: 'category' | 'value' | 'log';
  yLog?: boolean;
  series: ScenarioSeries[];
}

export interface ScenarioTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

export interface Scenario {
  name: string;
  title: string;
  /** What the seed articles claim, the hypothesis this scenario tests. */
  claim: string;
  /** The bench flags of the full run. */
  flags: RawOptions;
  /**
   * Peer maps the scenario adds to flags.maps when this build has them (a
   * peer's package may be missing; the file records which ran).
   */
  peerMaps?: readonly string[];
  /** Overrides for --smoke: tiny durations and sizes, to check the preset end to end. */
  smoke: RawOptions;
  findings(doc: ResultFile): Finding[];
  charts(doc: ResultFile): ScenarioChart[];
  tables?(doc: ResultFile): ScenarioTable[];
}

/**
 * What every --smoke run lays under the scenario's own smoke overrides: one
 * repeat of a short stream, and no skew check (a smoke run's few
 * milliseconds are shorter than one time slice of a busy machine; it checks
 * that the preset runs and its findings compute, not the figures).
 */
export const SMOKE_BASE: RawOptions = { repeat: '1', warmup: '20ms', maxSkew: '100%', streamLength: '4096' };

// ---- reading cells back ----

export function okCells(doc: ResultFile): CellRecordOk[] {
  return doc.cells.filter((c): c is CellRecordOk => c.status === 'ok');
}

/** The ok cell whose params match every given field, or undefined. */
export function findCell(doc: ResultFile, want: Partial<CellParams>): CellRecordOk | undefined {
  return okCells(doc).find((c) =>
    Object.entries(want).every(([k, v]) => (c.params as Record<string, unknown>)[k] === v),
  );
}

/** Median ops/s of the throughput pass, else of the latency pass (open loop: achieved). */
export function qpsOf(c: CellRecordOk | undefined): number | null {
  if (!c) return null;
  return c.summary.opsPerSec?.median ?? c.summary.latencyOpsPerSec?.median ?? null;
}

export type Percentile = 'p50Ns' | 'p90Ns' | 'p99Ns' | 'p999Ns' | 'p9999Ns' | 'maxNs';

/** A latency percentile of one op kind (or 'overall'), ns. */
export function latencyOf(c: CellRecordOk | undefined, kind: string, p: Percentile): number | null {
  const l: LatencyStats | undefined = c?.summary.latency?.[kind];
  return l && l.count > 0 ? l[p] : null;
}

/** The largest thread count that does not oversubscribe the machine that ran the file, else the smallest. */
export function mostThreads(doc: ResultFile): number {
  const ts = (distinct(doc, 'threads') as number[]).sort((a, b) => a - b);
  return ts.filter((t) => t <= doc.environment.logicalCores).pop() ?? ts[0] ?? 1;
}

/** Distinct values of a param over the ok cells, in first-seen order. */
export function distinct<K extends keyof CellParams>(doc: ResultFile, key: K): Array<CellParams[K]> {
  const seen: Array<CellParams[K]> = [];
  for (const c of okCells(doc)) if (!seen.includes(c.params[key])) seen.push(c.params[key]);
  return seen;
}

export function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

/** 3 significant figures, or 'n/a'. */
export function fmt(x: number | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  return Number(x.toPrecision(digits)).toString();
}

export function mops(x: number | null): string {
  return x === null ? 'n/a' : `${fmt(x / 1e6)} Mops/s`;
}

export function nsText(x: number | null): string {
  if (x === null) return 'n/a';
  return x >= 1e6 ? `${fmt(x / 1e6)} ms` : x >= 1e3 ? `${fmt(x / 1e3)} µs` : `${fmt(x)} ns`;
}
