// The answer first: a result document pivoted to one row per map and one
// column per cell group (every varying parameter but the map), the best map
// of each column marked, and a line per column naming its winner and the
// ratio over the runner-up. Also the warnings, one line per kind.
//
// Shared by the console (`npm run bench`) and the HTML report, so both say
// the same thing. Pure functions of the document: no terminal, no clock.
import { FLOOR_DESIGN, PSEUDO_DESIGNS } from './designs.js';
import { experimentKey, keyTypeOf } from './matrix.js';
import { type CellRecord, type CellRecordOk, isUnreliable, type ResultFile, type WarningRecord } from './schema.js';
import { MEDIAN_CI_LEVEL, medianInterval } from './stats.js';

export { PSEUDO_DESIGNS };

/** Parameters that name a column when they vary; in this order in its label. */
const COLUMN_PARAMS = ['mix', 'loadFactor', 'threads', 'keyType', 'keys', 'dist', 'cpus', 'rate', 'batch', 'prefill', 'initialCapacity', 'maxLoadFactor'] as const;
type ColumnParam = (typeof COLUMN_PARAMS)[number];

function paramValue(c: CellRecord, p: ColumnParam): string {
  // Files from before key types hold u64 cells.
  if (p === 'keyType') return keyTypeOf(c.params);
  const v = (c.params as Record<string, unknown>)[p];
  return v === undefined || v === null ? '-' : Array.isArray(v) ? v.join(',') : String(v);
}

function fmtCount(n: number): string {
  if (n < 1e4) return String(n);
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  return Number.isInteger(Number(m.toFixed(2))) ? `${Number(m.toFixed(2))}e${e}` : String(n);
}

function partLabel(p: ColumnParam, v: string): string {
  switch (p) {
    case 'mix':
      return v;
    case 'loadFactor':
      return `lf${v}`;
    case 'threads':
      return `${v}T`;
    case 'keys':
      return v === '-' ? v : `${fmtCount(Number(v))} keys`;
    case 'dist':
      return v;
    case 'cpus':
      return `cpu${v}`;
    case 'rate':
      return v === '-' ? 'closed' : `${fmtCount(Number(v))}/s`;
    case 'batch':
      return `b${v}`;
    case 'keyType':
      return v;
    default:
      return `${p}=${v}`;
  }
}

/** The row a cell belongs to: its map, plus its shard count when the run varies it. */
function rowLabel(c: CellRecord, shardsVary: boolean): string {
  return shardsVary && c.params.shards !== null ? `${c.params.map}/${c.params.shards}` : c.params.map;
}

export interface PivotEntry {
  cell: CellRecord;
  /** Median throughput (ops/s); undefined for a failed or skipped cell. */
  median?: number;
  /** Half-width of the median's confidence interval, % of the median; null: too few repeats for one. */
  ciPct?: number | null;
  /** Bounds of that interval (ops/s). */
  lo?: number;
  hi?: number;
  /** Fewer repeats than an interval needs: ± is then the larger distance of min or max from the median. */
  rangePct?: number;
  /** Median ÷ the matching floor cell's median. */
  ofFloor?: number;
  unreliable: boolean;
  best: boolean;
}

export interface PivotColumn {
  label: string;
  /** Row label → entry. */
  entries: Map<string, PivotEntry>;
  /** The best map (not a pseudo-map) and the runner-up, by median. */
  winner?: { row: string; median: number };
  runnerUp?: { row: string; median: number };
  /** The winner's and runner-up's intervals overlap: the ranking is not established. */
  overlap: boolean;
}

export interface Pivot {
  rows: string[];
  columns: PivotColumn[];
  /** Parameters shared by every cell, as "name value" phrases. */
  common: string[];
}

function throughput(c: CellRecordOk) {
  return c.summary.opsPerSec ?? c.summary.latencyOpsPerSec;
}

function rawRates(c: CellRecordOk): number[] {
  const pass = c.summary.opsPerSec ? 'throughput' : 'latency';
  return c.repeats.filter((r) => r.pass === pass).map((r) => r.opsPerSec);
}

/** The floor cell that matches a cell in everything but the map. */
export function floorOf(cells: CellRecord[], c: CellRecord): CellRecord | undefined {
  const key = experimentKey(c.params);
  return cells.find((f) => f.status === 'ok' && f.params.design === FLOOR_DESIGN && experimentKey(f.params) === key);
}

export function buildPivot(doc: ResultFile): Pivot {
  const cells = doc.cells;
  const varying = COLUMN_PARAMS.filter((p) => new Set(cells.map((c) => paramValue(c, p))).size > 1);
  const shardsVary = new Set(cells.filter((c) => c.params.shards !== null).map((c) => c.params.shards)).size > 1;
  // A run of u64 keys alone says nothing of key types, as before they existed.
  const common = COLUMN_PARAMS.filter(
    (p) => !varying.includes(p) && cells.length > 0 && paramValue(cells[0]!, p) !== '-' && !(p === 'keyType' && paramValue(cells[0]!, p) === 'u64'),
  ).map(
    (p) => partLabel(p, paramValue(cells[0]!, p)),
  );
  const rows: string[] = [];
  for (const c of cells) {
    const r = rowLabel(c, shardsVary);
    if (!rows.includes(r)) rows.push(r);
  }
  // Real maps in the order given, pseudo-maps last (they frame the others).
  const isPseudoRow = (r: string) => cells.some((c) => rowLabel(c, shardsVary) === r && PSEUDO_DESIGNS.has(c.params.design));
  rows.sort((a, b) => Number(isPseudoRow(a)) - Number(isPseudoRow(b)));

  // Columns in a stable order: sorted by each varying parameter in turn.
  const groupKey = (c: CellRecord) => varying.map((p) => paramValue(c, p)).join('|');
  const groups = new Map<string, CellRecord[]>();
  for (const c of cells) (groups.get(groupKey(c)) ?? groups.set(groupKey(c), []).get(groupKey(c))!).push(c);
  const cmp = (a: CellRecord, b: CellRecord) => {
    for (const p of varying) {
      const x = paramValue(a, p);
      const y = paramValue(b, p);
      const nx = Number(x);
      const ny = Number(y);
      // Key types: u64 first, then the string types by their lengths (str:16 before str:128).
      const d =
        p === 'keyType'
          ? Number(y === 'u64') - Number(x === 'u64') || x.localeCompare(y, 'en', { numeric: true })
          : Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
      if (d !== 0) return d;
    }
    return 0;
  };
  const ordered = [...groups.values()].sort((a, b) => cmp(a[0]!, b[0]!));

  const columns = ordered.map((group): PivotColumn => {
    const label = varying.length === 0 ? 'all cells' : varying.map((p) => partLabel(p, paramValue(group[0]!, p))).join(' ');
    const entries = new Map<string, PivotEntry>();
    for (const c of group) {
      const e: PivotEntry = { cell: c, unreliable: isUnreliable(c), best: false };
      if (c.status === 'ok') {
        const tp = throughput(c);
        if (tp) {
          e.median = tp.median;
          const ci = medianInterval(rawRates(c));
          e.ciPct = ci ? ci.halfWidthPct : null;
          if (ci) {
            e.lo = ci.lo;
            e.hi = ci.hi;
          } else {
            e.rangePct = tp.median === 0 ? 0 : (Math.max(tp.max - tp.median, tp.median - tp.min) / tp.median) * 100;
            e.lo = tp.min;
            e.hi = tp.max;
          }
          const f = floorOf(cells, c);
          const fr = f?.status === 'ok' ? throughput(f)?.median : undefined;
          if (fr && !PSEUDO_DESIGNS.has(c.params.design)) e.ofFloor = tp.median / fr;
        }
      }
      entries.set(rowLabel(c, shardsVary), e);
    }
    const ranked = [...entries.entries()]
      .filter(([, e]) => e.median !== undefined && !PSEUDO_DESIGNS.has(e.cell.params.design))
      .sort((a, b) => b[1].median! - a[1].median!);
    const col: PivotColumn = { label, entries, overlap: false };
    if (ranked[0]) {
      ranked[0][1].best = true;
      col.winner = { row: ranked[0][0], median: ranked[0][1].median! };
    }
    if (ranked[1]) {
      col.runnerUp = { row: ranked[1][0], median: ranked[1][1].median! };
      // Overlapping intervals (or min–max ranges, with too few repeats): the order may be noise.
      col.overlap = ranked[0]![1].lo! <= ranked[1][1].hi!;
    }
    return col;
  });
  return { rows, columns, common };
}

function fmtMops(opsPerSec: number): string {
  const m = opsPerSec / 1e6;
  return m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2);
}

/** One pivot cell's text: `*38.1 ±1.2% .38`; `~` before ± marks a min–max range (too few repeats for an interval). */
function entryText(e: PivotEntry | undefined): string {
  if (!e) return '';
  if (e.cell.status === 'failed') return 'FAILED';
  if (e.cell.status === 'skipped') return 'skipped';
  if (e.median === undefined) return '';
  const pm = e.ciPct != null ? `±${e.ciPct.toFixed(1)}%` : `~${(e.rangePct ?? 0).toFixed(1)}%`;
  const floor = e.ofFloor !== undefined ? ` ${e.ofFloor.toFixed(2)}` : '';
  return `${e.best ? '*' : ' '}${fmtMops(e.median)} ${pm}${floor}${e.unreliable ? '!' : ''}`;
}

export interface RenderSummaryOptions {
  /** Terminal width to fit (clamped to 80–120). */
  width?: number;
}

/** The pivot as plain text, split into blocks of columns that fit the width. */
export function renderSummary(doc: ResultFile, o: RenderSummaryOptions = {}): string {
  const pivot = buildPivot(doc);
  const width = Math.min(120, Math.max(80, o.width ?? 100));
  const out: string[] = [];
  const anyRange = pivot.columns.some((c) => [...c.entries.values()].some((e) => e.ciPct === null));
  const anyFloor = pivot.columns.some((c) => [...c.entries.values()].some((e) => e.ofFloor !== undefined));
  const anyUnreliable = pivot.columns.some((c) => [...c.entries.values()].some((e) => e.unreliable));
  // Legend lines stay within 80 columns, like the table.
  out.push(`Mops/s: median ±${Math.round(MEDIAN_CI_LEVEL * 100)}% CI of the median (order statistics)${anyFloor ? ', × floor' : ''}; * best map`);
  if (anyRange) out.push('~: too few repeats for that CI; the larger distance of min or max from the median');
  if (anyUnreliable) out.push('! unreliable cell (kept runs exceeded --max-skew)');
  if (pivot.common.length) out.push(`every column: ${pivot.common.join(', ')}`);
  const hashLine = hashCostLine(doc);
  if (hashLine) out.push(hashLine);

  const rowWidth = Math.max(3, ...pivot.rows.map((r) => r.length));
  const texts = pivot.columns.map((c) => pivot.rows.map((r) => entryText(c.entries.get(r))));
  const colWidths = pivot.columns.map((c, i) => Math.max(c.label.length, ...texts[i]!.map((t) => t.length)));
  // Greedy blocks: as many columns as fit the width after the row labels.
  const blocks: number[][] = [];
  let cur: number[] = [];
  let used = rowWidth;
  colWidths.forEach((w, i) => {
    if (cur.length > 0 && used + 2 + w > width) {
      blocks.push(cur);
      cur = [];
      used = rowWidth;
    }
    cur.push(i);
    used += 2 + w;
  });
  if (cur.length) blocks.push(cur);

  for (const block of blocks) {
    out.push('');
    const line = (first: string, cells: string[]) =>
      `${first.padEnd(rowWidth)}${cells.map((t, j) => `  ${t.padStart(colWidths[block[j]!]!)}`).join('')}`.trimEnd();
    out.push(line('map', block.map((i) => pivot.columns[i]!.label)));
    pivot.rows.forEach((r, ri) => out.push(line(r, block.map((i) => texts[i]![ri]!))));
  }
  out.push('');
  for (const c of pivot.columns) {
    if (!c.winner) continue;
    const ratio = c.runnerUp ? `, ${(c.winner.median / c.runnerUp.median).toFixed(2)}× ${c.runnerUp.row}` : '';
    const note = c.overlap ? ' (intervals overlap: not a clear win)' : '';
    out.push(`winner ${c.label}: ${c.winner.row}${ratio}${note}`);
  }
  return out.join('\n');
}

/** The hash calibration of a run with string keys, as one line: `hash alone (XXH3-64): str:16 2.33 ns/key, ...`; null without one. */
export function hashCostLine(doc: ResultFile): string | null {
  const costs = Object.entries(doc.calibration?.hashCost ?? {});
  if (costs.length === 0) return null;
  const hashes = [...new Set(costs.map(([, c]) => c.hash))].join(', ');
  return `hash alone (${hashes}, calibration): ${costs.map(([k, c]) => `${k} ${c.nsPerKey.toFixed(2)} ns/key`).join(', ')}`;
}

/** A short name of a cell for one-line messages: its map and the parameters that vary in the run. */
export function cellNamer(doc: ResultFile): (key: string) => string {
  const pivot = buildPivot(doc);
  const names = new Map<string, string>();
  for (const col of pivot.columns) for (const [row, e] of col.entries) names.set(e.cell.key, col.label === 'all cells' ? row : `${row} ${col.label}`);
  return (key) => names.get(key) ?? key;
}

export interface WarningGroup {
  code: string;
  count: number;
  /** The instance with the highest severity (the first when none has one). */
  worst: WarningRecord;
  advice: string;
}

/** Warnings grouped by code, in the order each code first appears. */
export function groupWarnings(warnings: WarningRecord[]): WarningGroup[] {
  const groups = new Map<string, WarningGroup>();
  for (const w of warnings) {
    const g = groups.get(w.code);
    if (!g) groups.set(w.code, { code: w.code, count: 1, worst: w, advice: w.advice });
    else {
      g.count++;
      if ((w.severity ?? -Infinity) > (g.worst.severity ?? -Infinity)) g.worst = w;
    }
  }
  return [...groups.values()];
}

/**
 * The warnings block: one line per kind (count, the worst instance and its
 * cell, what to do), or with verbose every instance. Empty when there are none.
 */
export function renderWarnings(doc: ResultFile, o: { verbose?: boolean } = {}): string {
  if (doc.warnings.length === 0) return '';
  const name = cellNamer(doc);
  if (o.verbose) {
    return doc.warnings.map((w) => `warning: ${w.message}${w.cellKey ? ` [${name(w.cellKey)}]` : ''} — ${w.advice}`).join('\n');
  }
  const groups = groupWarnings(doc.warnings);
  const lines = [`warnings (${doc.warnings.length} in ${groups.length} kind${groups.length === 1 ? '' : 's'}; --verbose lists each):`];
  for (const g of groups) {
    // Files written before warnings carried a severity cannot say which instance is worst.
    const which = g.count === 1 ? 'in' : g.worst.severity === undefined ? 'e.g.' : 'worst';
    const where = g.worst.cellKey ? `${which} ${name(g.worst.cellKey)}: ` : '';
    lines.push(`  ${g.code} ×${g.count}: ${where}${g.worst.message} — ${g.advice}`);
  }
  return lines.join('\n');
}
