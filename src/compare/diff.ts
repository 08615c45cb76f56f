// Comparison of result files, computed as data: pure functions from parsed
// result documents to a CompareDiff, which the renderers (render.ts) only
// format. Nothing here reads files or prints.
//
// Two ways to pair cells:
//   files  every later file against the first, cells joined on their `key`
//          (src/matrix.ts cellKey), so only the same experiment is compared;
//   pivot  inside one file, every map against a baseline map, joining cells
//          that agree on every parameter except the map's own (map, design,
//          lock, shards).
// For each pair of cells and each metric asked, the raw repeats of both sides
// go through the Mann–Whitney U test (utest.ts); the verdict is "~" unless
// p < alpha and the change of the medians is at least the noise floor, and
// "inconclusive" when the repeat counts could not give p < alpha at all: a
// test that cannot reject says nothing, so it never reads as "no change".
// Sides holding runs kept over --max-skew (unreliable cells) are marked.
import { experimentKey } from '../matrix.js';
import type { CellParams, CellRecord, CellRecordOk, Environment, RepeatRecord, ResultFile } from '../schema.js';
import { summarize } from '../stats.js';
import { mannWhitneyU, minimumP, repeatsToReach } from './utest.js';

export interface MetricSpec {
  label: string;
  unit: string;
  better: 'higher' | 'lower';
}

export const METRICS = {
  qps: { label: 'throughput', unit: 'ops/s', better: 'higher' },
  p99: { label: 'p99 latency', unit: 'ns', better: 'lower' },
  allocs: { label: 'allocations', unit: 'allocs/op', better: 'lower' },
} as const satisfies Record<string, MetricSpec>;
export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export interface CompareOptions {
  metrics: MetricName[];
  /** Significance level: p must be below it. */
  alpha: number;
  /** Changes of the medians smaller than this (percent) are "~" whatever p says. */
  noisePct: number;
  /** A significant change for the worse beyond this (percent) is a regression; null: not checked. */
  failOnRegressionPct: number | null;
}

export const DEFAULT_OPTIONS: CompareOptions = { metrics: ['qps', 'p99'], alpha: 0.05, noisePct: 1, failOnRegressionPct: null };

/** The repeats of one metric of one cell. */
export interface Sample {
  values: number[];
  /** Which pass the values come from. */
  pass: 'throughput' | 'latency';
}

/** One side of a comparison: the raw values and their summary. */
export interface Side extends Sample {
  median: number;
  /** (max − min) / median, percent: the same spread the bench table shows. */
  spreadPct: number;
  n: number;
}

/** inconclusive: the repeat counts cannot reach p < alpha, so the data cannot say (reason too-few-repeats). */
export type Verdict = 'better' | 'worse' | 'same' | 'inconclusive';
export type VerdictReason =
  /** p < alpha and the change is at least the noise floor. */
  | 'significant'
  /** p ≥ alpha, though these repeat counts could have given less. */
  | 'not-significant'
  /** With this many repeats p cannot be below alpha, whatever the data (verdict inconclusive). */
  | 'too-few-repeats'
  /** p < alpha, but the medians moved less than the noise floor. */
  | 'below-noise';

export interface MetricDiff {
  metric: MetricName;
  base: Side;
  new: Side;
  /** (new − base) / base of the medians, percent; null when base is 0 and new is not. */
  deltaPct: number | null;
  /** Two-sided Mann–Whitney p-value of the raw repeats. */
  p: number;
  method: 'exact' | 'normal';
  /** The smallest p these sample sizes allow (2 / C(n1+n2, n1)). */
  minimumP: number;
  verdict: Verdict;
  reason: VerdictReason;
  /** Significantly worse by more than the --fail-on-regression threshold. */
  regression: boolean;
  /** The sides whose repeats of this metric's pass include runs kept over --max-skew. */
  unreliable: Array<'base' | 'new'>;
}

export interface CellRef {
  key: string;
  params: CellParams;
  status: CellRecord['status'];
  /** Error of a failed cell, reason of a skipped one. */
  detail?: string;
}

export interface MissingMetric {
  metric: MetricName;
  side: 'base' | 'new' | 'both';
}

export interface CellDiff {
  /** What the cells were joined on: the cell key, or in pivot mode the key without map and shards. */
  key: string;
  baseKey: string;
  newKey: string;
  params: CellParams;
  metrics: MetricDiff[];
  /** Metrics asked for that one or both cells have no repeats of. */
  missing: MissingMetric[];
  /** The two sides took a metric from different passes (throughput vs latency). */
  passMismatch: MetricName[];
}

/** A cell present on both sides that could not be compared (failed or skipped on a side). */
export interface NotCompared {
  key: string;
  base: CellRef;
  new: CellRef;
}

export interface Geomean {
  metric: MetricName;
  /** Cells that went into it: compared, with both medians above zero. */
  cells: number;
  /** Compared cells left out because a median is zero. */
  excluded: number;
  base: number | null;
  new: number | null;
  deltaPct: number | null;
}

export interface EnvDifference {
  field: string;
  base: string;
  new: string;
  /** A difference that can move the figures by itself (another CPU, THP mode, compiler flags, page policy…). */
  moves: boolean;
}

export interface FileRef {
  name: string;
  /** Pivot mode: the map this side holds. */
  map?: string;
  status: ResultFile['status'];
  commit: string | null;
  dirty: boolean | null;
  startedAt: string;
  cells: number;
}

/** One base-versus-new comparison. */
export interface PairDiff {
  base: FileRef;
  new: FileRef;
  envDifferences: EnvDifference[];
  cells: CellDiff[];
  onlyInBase: CellRef[];
  onlyInNew: CellRef[];
  notCompared: NotCompared[];
  geomeans: Geomean[];
}

export interface Regression {
  pair: number;
  key: string;
  metric: MetricName;
  deltaPct: number | null;
}

/** A metric of a cell whose repeat counts cannot reach p < alpha. */
export interface Inconclusive {
  pair: number;
  key: string;
  metric: MetricName;
  /** Repeats of the base and the new side. */
  n: [number, number];
}

/** A compared metric with runs kept over --max-skew on a side. */
export interface UnreliableComparison {
  pair: number;
  key: string;
  metric: MetricName;
  sides: Array<'base' | 'new'>;
}

export interface CompareDiff {
  kind: 'mapbench.compare';
  mode: 'files' | 'pivot';
  options: CompareOptions;
  pairs: PairDiff[];
  /** Every regression across all pairs (empty unless failOnRegressionPct is set). */
  regressions: Regression[];
  /** Every comparison the repeat counts left undecidable, across all pairs. */
  inconclusive: Inconclusive[];
  /** The fewest repeats a side (both sides alike) that can reach p < alpha. */
  repeatsNeeded: number;
  /** Every comparison with an unreliable side, across all pairs. */
  unreliable: UnreliableComparison[];
}

export type { NamedResult } from '../result-files.js';
import type { NamedResult } from '../result-files.js';

// ---- extracting samples ------------------------------------------------------

function byPass(cell: CellRecordOk, pass: 'throughput' | 'latency'): RepeatRecord[] {
  return cell.repeats.filter((r) => r.pass === pass);
}

/** Throughput-pass repeats, or the latency pass's when a cell ran no throughput pass. */
function timedRepeats(cell: CellRecordOk): { repeats: RepeatRecord[]; pass: 'throughput' | 'latency' } | null {
  const tp = byPass(cell, 'throughput');
  if (tp.length > 0) return { repeats: tp, pass: 'throughput' };
  const lat = byPass(cell, 'latency');
  return lat.length > 0 ? { repeats: lat, pass: 'latency' } : null;
}

/** The raw repeats of a metric in a cell, or null when the cell has none. */
export function sampleOf(metric: MetricName, cell: CellRecordOk): Sample | null {
  switch (metric) {
    case 'qps': {
      const t = timedRepeats(cell);
      return t ? { values: t.repeats.map((r) => r.opsPerSec), pass: t.pass } : null;
    }
    case 'allocs': {
      const t = timedRepeats(cell);
      return t ? { values: t.repeats.map((r) => r.allocationsPerOp), pass: t.pass } : null;
    }
    case 'p99': {
      const values = byPass(cell, 'latency').flatMap((r) => (r.latency?.overall ? [r.latency.overall.p99Ns] : []));
      return values.length > 0 ? { values, pass: 'latency' } : null;
    }
  }
}

// ---- one metric --------------------------------------------------------------

function side(s: Sample): Side {
  const sum = summarize(s.values);
  return { ...s, median: sum.median, spreadPct: sum.spreadPct, n: sum.n };
}

export function deltaPct(base: number, next: number): number | null {
  if (base === 0) return next === 0 ? 0 : null;
  return ((next - base) / base) * 100;
}

/**
 * Compares one metric of two cells from their raw repeats. `unreliable`
 * names the sides whose repeats include runs kept over --max-skew; it marks
 * the result and changes no verdict.
 */
export function compareMetric(metric: MetricName, base: Sample, next: Sample, o: CompareOptions, unreliable: Array<'base' | 'new'> = []): MetricDiff {
  const b = side(base);
  const n = side(next);
  const delta = deltaPct(b.median, n.median);
  const test = mannWhitneyU(base.values, next.values);
  const minP = minimumP(b.n, n.n);
  let verdict: Verdict = 'same';
  let reason: VerdictReason;
  if (minP >= o.alpha) {
    reason = 'too-few-repeats';
    verdict = 'inconclusive';
  } else if (test.p >= o.alpha) {
    reason = 'not-significant';
  } else if (delta !== null && (delta === 0 || Math.abs(delta) < o.noisePct)) {
    reason = 'below-noise';
  } else {
    reason = 'significant';
    verdict = (n.median > b.median) === (METRICS[metric].better === 'higher') ? 'better' : 'worse';
  }
  const regression =
    verdict === 'worse' && o.failOnRegressionPct !== null && (delta === null || Math.abs(delta) > o.failOnRegressionPct);
  return { metric, base: b, new: n, deltaPct: delta, p: test.p, method: test.method, minimumP: minP, verdict, reason, regression, unreliable };
}

// ---- pairs of cells ------------------------------------------------------------

function ref(c: CellRecord): CellRef {
  const r: CellRef = { key: c.key, params: c.params, status: c.status };
  if (c.status === 'failed') r.detail = c.error;
  if (c.status === 'skipped') r.detail = c.reason;
  return r;
}

/** Whether a cell kept runs of this pass over --max-skew (CellRecordOk.unreliable). */
function unreliablePass(cell: CellRecordOk, pass: Sample['pass']): boolean {
  return (cell.unreliable ?? []).some((u) => u.pass === pass);
}

function compareCells(key: string, base: CellRecordOk, next: CellRecordOk, o: CompareOptions): CellDiff {
  const diff: CellDiff = { key, baseKey: base.key, newKey: next.key, params: next.params, metrics: [], missing: [], passMismatch: [] };
  for (const m of o.metrics) {
    const b = sampleOf(m, base);
    const n = sampleOf(m, next);
    if (!b || !n) {
      diff.missing.push({ metric: m, side: !b && !n ? 'both' : !b ? 'base' : 'new' });
      continue;
    }
    if (b.pass !== n.pass) diff.passMismatch.push(m);
    const sides: Array<'base' | 'new'> = [];
    if (unreliablePass(base, b.pass)) sides.push('base');
    if (unreliablePass(next, n.pass)) sides.push('new');
    diff.metrics.push(compareMetric(m, b, n, o, sides));
  }
  return diff;
}

function geomeans(cells: CellDiff[], o: CompareOptions): Geomean[] {
  return o.metrics.map((metric) => {
    const ms = cells.flatMap((c) => c.metrics.filter((m) => m.metric === metric));
    const usable = ms.filter((m) => m.base.median > 0 && m.new.median > 0);
    if (usable.length === 0) return { metric, cells: 0, excluded: ms.length, base: null, new: null, deltaPct: null };
    const gm = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    const base = gm(usable.map((m) => m.base.median));
    const next = gm(usable.map((m) => m.new.median));
    return { metric, cells: usable.length, excluded: ms.length - usable.length, base, new: next, deltaPct: deltaPct(base, next) };
  });
}

/**
 * Joins two lists of cells on `keyOf` and compares every joined pair. Cells
 * on one side only, and joined cells that are not ok on both sides, are
 * listed rather than dropped.
 */
function comparePair(
  baseCells: CellRecord[],
  newCells: CellRecord[],
  keyOf: (c: CellRecord) => string,
  o: CompareOptions,
): Pick<PairDiff, 'cells' | 'onlyInBase' | 'onlyInNew' | 'notCompared' | 'geomeans'> {
  const baseByKey = new Map<string, CellRecord>();
  for (const c of baseCells) if (!baseByKey.has(keyOf(c))) baseByKey.set(keyOf(c), c);
  const newKeys = new Set(newCells.map(keyOf));
  const seen = new Set<string>();
  const cells: CellDiff[] = [];
  const onlyInNew: CellRef[] = [];
  const notCompared: NotCompared[] = [];
  for (const n of newCells) {
    const key = keyOf(n);
    if (seen.has(key)) continue;
    seen.add(key);
    const b = baseByKey.get(key);
    if (!b) onlyInNew.push(ref(n));
    else if (b.status === 'ok' && n.status === 'ok') cells.push(compareCells(key, b, n, o));
    else notCompared.push({ key, base: ref(b), new: ref(n) });
  }
  const onlyInBase = [...baseByKey.entries()].filter(([k]) => !newKeys.has(k)).map(([, c]) => ref(c));
  return { cells, onlyInBase, onlyInNew, notCompared, geomeans: geomeans(cells, o) };
}

// ---- environments --------------------------------------------------------------

/** Environment fields compare checks, and whether a difference in one can move the figures by itself. */
const ENV_FIELDS: Array<[string, (e: Environment) => string | number | boolean | null, boolean]> = [
  ['cpuModel', (e) => e.cpuModel, true],
  ['logicalCores', (e) => e.logicalCores, true],
  ['kernel', (e) => e.kernel, false],
  ['build.transparentHugePages', (e) => e.build.transparentHugePages, true],
  ['node', (e) => e.node ?? 'none', false], // absent: a file from mapbench_native
  ['build.compiler', (e) => e.build.compiler, true],
  ['build.flags', (e) => e.build.flags, true],
  ['build.buildSystem', (e) => e.build.buildSystem, false],
  ['build.pad', (e) => e.build.pad, true],
  ['build.marchNative', (e) => e.build.marchNative, true],
  ['build.debug', (e) => e.build.debug, true],
  ['git.dirty', (e) => e.git.dirty, false],
];

/** The fields envDifferences and runDifferences check, for a header that says what was found the same. */
export const CHECKED_FIELDS = [...ENV_FIELDS.map(([f]) => f), 'tscHz', 'config.hugePages', 'stream.coverage'];

/** TSC frequencies within this fraction of each other count as the same clock. */
export const TSC_TOLERANCE = 0.001;

/** The differences between two environments (machine, kernel, build, working tree). */
export function envDifferences(base: Environment, next: Environment): EnvDifference[] {
  const out: EnvDifference[] = [];
  for (const [field, get, moves] of ENV_FIELDS) {
    const b = get(base);
    const n = get(next);
    if (b !== n) out.push({ field, base: String(b), new: String(n), moves });
  }
  const hz = Math.max(base.tscHz, next.tscHz);
  if (hz > 0 && Math.abs(base.tscHz - next.tscHz) / hz > TSC_TOLERANCE) {
    out.push({ field: 'tscHz', base: String(base.tscHz), new: String(next.tscHz), moves: true });
  }
  return out;
}

/** Median share of the keys the cells' op streams touch; null when no cell records it (files before version 3). */
function medianCoverage(doc: ResultFile): number | null {
  const xs = doc.cells.flatMap((c) => (c.status === 'ok' && c.stream ? [c.stream.coverage] : [])).sort((a, b) => a - b);
  return xs.length ? xs[Math.floor((xs.length - 1) / 2)]! : null;
}

/** Coverages this many points apart measure different working sets. */
const COVERAGE_TOLERANCE = 0.01;

/** Differences in how the two runs placed memory and drew keys: the huge-page policy and the op streams' key coverage. */
export function runDifferences(base: ResultFile, next: ResultFile): EnvDifference[] {
  const out: EnvDifference[] = [];
  const hb = base.config.hugePages;
  const hn = next.config.hugePages;
  if (hb !== hn) out.push({ field: 'config.hugePages', base: hb ? 'on' : 'off', new: hn ? 'on' : 'off', moves: true });
  const cb = medianCoverage(base);
  const cn = medianCoverage(next);
  const pct = (x: number | null) => (x === null ? 'not recorded' : `${(x * 100).toFixed(1)}% of keys (median cell)`);
  if ((cb === null) !== (cn === null) || (cb !== null && cn !== null && Math.abs(cb - cn) > COVERAGE_TOLERANCE)) {
    out.push({ field: 'stream.coverage', base: pct(cb), new: pct(cn), moves: cb !== null && cn !== null });
  }
  return out;
}

function fileRef(f: NamedResult, map?: string): FileRef {
  const r: FileRef = {
    name: f.name,
    status: f.doc.status,
    commit: f.doc.environment.git.commit,
    dirty: f.doc.environment.git.dirty,
    startedAt: f.doc.startedAt,
    cells: f.doc.cells.length,
  };
  if (map !== undefined) {
    r.map = map;
    r.cells = f.doc.cells.filter((c) => c.params.map === map).length;
  }
  return r;
}

/** The diff of these pairs, with the findings that span them collected. */
function diffOf(mode: CompareDiff['mode'], o: CompareOptions, pairs: PairDiff[]): CompareDiff {
  const each = <T>(f: (pair: number, key: string, m: MetricDiff) => T[]) =>
    pairs.flatMap((p, i) => p.cells.flatMap((c) => c.metrics.flatMap((m) => f(i, c.key, m))));
  return {
    kind: 'mapbench.compare',
    mode,
    options: o,
    pairs,
    regressions: each((pair, key, m) => (m.regression ? [{ pair, key, metric: m.metric, deltaPct: m.deltaPct }] : [])),
    inconclusive: each((pair, key, m) => (m.verdict === 'inconclusive' ? [{ pair, key, metric: m.metric, n: [m.base.n, m.new.n] as [number, number] }] : [])),
    repeatsNeeded: repeatsToReach(o.alpha),
    unreliable: each((pair, key, m) => (m.unreliable.length ? [{ pair, key, metric: m.metric, sides: m.unreliable }] : [])),
  };
}

// ---- entry points --------------------------------------------------------------

/**
 * Compares every file after the first against the first.
 * Requires: at least two files.
 */
export function compareFiles(files: NamedResult[], o: CompareOptions): CompareDiff {
  const [base, ...rest] = files;
  if (!base || rest.length === 0) throw new RangeError('compareFiles: needs a base and at least one file to compare');
  const pairs = rest.map((f) => ({
    base: fileRef(base),
    new: fileRef(f),
    envDifferences: [...envDifferences(base.doc.environment, f.doc.environment), ...runDifferences(base.doc, f.doc)],
    ...comparePair(base.doc.cells, f.doc.cells, (c) => c.key, o),
  }));
  return diffOf('files', o, pairs);
}

/** The key of a cell without the parameters that belong to the map (matrix.ts experimentKey). */
export const pivotKey: (p: CellParams) => string = experimentKey;

/** The maps of a file, in order of first appearance. */
export function mapsOf(doc: ResultFile): string[] {
  return [...new Set(doc.cells.map((c) => c.params.map))];
}

/**
 * Compares, inside one file, every map against `baseline`.
 * Requires: `baseline` is one of the file's maps.
 */
export function compareMaps(file: NamedResult, baseline: string, o: CompareOptions): CompareDiff {
  const maps = mapsOf(file.doc);
  if (!maps.includes(baseline)) throw new RangeError(`compareMaps: no map ${baseline} in ${file.name}`);
  const baseCells = file.doc.cells.filter((c) => c.params.map === baseline);
  const pairs = maps
    .filter((m) => m !== baseline)
    .map((m) => ({
      base: fileRef(file, baseline),
      new: fileRef(file, m),
      envDifferences: [],
      ...comparePair(baseCells, file.doc.cells.filter((c) => c.params.map === m), (c) => pivotKey(c.params), o),
    }));
  return diffOf('pivot', o, pairs);
}
