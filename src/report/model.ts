// The report's model: everything the page shows, computed from validated
// result files before anything is rendered. Charts are ECharts options made
// of plain data only (no functions), so they travel into the page as JSON and
// render the same way in Node for the SVG images; the formatters that need
// code are added by decorateOption (page-script.ts) on both sides.
import type { EChartsOption, SeriesOption } from 'echarts';

import { isPeer } from '../config.js';
import { FLOOR_DESIGN, PSEUDO_DESIGNS } from '../designs.js';
import { type CellRecord, type CellRecordOk, type Environment, isUnreliable, type ResultFile, type WarningRecord } from '../schema.js';
import { keyTypeOf } from '../matrix.js';
import { renderSummary, renderWarnings } from '../summary.js';
import { floorOf } from '../table.js';
import { type FindScenario, type ScenarioSection, scenarioSections } from './scenarios.js';
import { type ChartSpec, type LoadedFile, SCENARIO_SECTION, SECTIONS, type SectionId } from './types.js';

/** A result file as given on the command line, already validated. */
export { type ChartSpec, type LoadedFile, SECTIONS, type SectionId } from './types.js';

/** A file's answer first: the console's pivoted summary and its grouped warnings (src/summary.ts), as text. */
export interface FileSummaryText {
  file: string;
  pivot: string;
  warnings: string;
}

export interface TableRow {
  file: string;
  key: string;
  status: CellRecord['status'];
  map: string;
  threads: number;
  loadFactor: number;
  keys: number;
  /** The cells' key type (u64 for files from before key types). */
  keyType: string;
  mix: string;
  dist: string;
  cpus: string;
  mopsPerSec: number | null;
  spreadPct: number | null;
  floorRatio: number | null;
  p50Ns: number | null;
  p99Ns: number | null;
  p999Ns: number | null;
  maxNs: number | null;
  allocationsPerOp: number | null;
  endLoadFactor: number | null;
  check: 'ok' | 'FAIL' | 'n/a' | '';
  /** A peer map (native/peers/): another library's map, drawn apart from mapbench's own. */
  peer: boolean;
  /** failed: the error; skipped: the reason. */
  note: string;
  /** ok cells whose figures failed --max-skew after their reruns: why ('' = reliable). */
  unreliable: string;
}

export interface FileSummary {
  label: string;
  path: string;
  status: ResultFile['status'];
  startedAt: string;
  updatedAt: string;
  /** unreliable counts ok cells too: they are ok, with noisier figures than the run allowed. */
  cells: { ok: number; failed: number; skipped: number; unreliable: number };
  environment: Environment;
  warnings: WarningRecord[];
}

export interface ReportModel {
  generatedAt: string;
  files: FileSummary[];
  /** Notes about the inputs themselves (partial files, no charts). */
  notes: string[];
  /** One per file that names a scenario, in input order; their charts are in `charts` too. */
  scenarios: ScenarioSection[];
  charts: ChartSpec[];
  /** One line per chart left out because its x axis would hold one value (two dots on an empty axis say nothing). */
  leftOut: string[];
  /** One per file. */
  summaries: FileSummaryText[];
  rows: TableRow[];
}

/** ECharts' default palette, fixed here so a map keeps its colour in every chart. */
const PALETTE = ['#5470c6', '#91cc75', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc', '#fac858'];
/** A y axis's name sits above the axis, starting at it, so it never runs off the left edge. */
const Y_NAME = { nameGap: 12, nameTextStyle: { align: 'left' as const } };
/** Peers: dotted lines with diamonds, hatched bars — "theirs" reads apart from "ours" at a glance, in colour or not. */
const PEER_LINE = { lineStyle: { type: 'dotted' as const, width: 2.5 }, symbol: 'diamond' };
const PEER_BAR = { itemStyle: { decal: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: 'rgba(255,255,255,0.55)' } } };

interface Point {
  file: LoadedFile;
  cell: CellRecordOk;
}

/** Median throughput: the throughput pass, or the latency pass when that is all there is (as the table does). */
function rateOf(c: CellRecordOk): CellRecordOk['summary']['opsPerSec'] {
  return c.summary.opsPerSec ?? c.summary.latencyOpsPerSec;
}

function floorRatioOf(file: LoadedFile, c: CellRecordOk): number | null {
  if (c.params.design === FLOOR_DESIGN) return null;
  const f = floorOf(file.doc.cells, c);
  const rate = rateOf(c)?.median;
  const floorRate = f?.status === 'ok' ? rateOf(f)?.median : undefined;
  return rate !== undefined && floorRate ? rate / floorRate : null;
}

const cpusText = (cpus: number[] | null) => (cpus ? cpus.join(',') : '');

/** The parameters a chart holds fixed, as a subtitle; `omit` names the axis (and what the series already say). */
function facetOf(c: CellRecord, omit: ReadonlyArray<'threads' | 'loadFactor'>): string {
  const p = c.params;
  const parts: string[] = [];
  if (!omit.includes('threads')) parts.push(`${p.threads} thread${p.threads === 1 ? '' : 's'}`);
  if (!omit.includes('loadFactor')) parts.push(`load factor ${p.loadFactor}`);
  // String-keyed cells name their key type: `1,000,000 str:16 keys`.
  const kt = keyTypeOf(p);
  parts.push(`${p.keys.toLocaleString('en-US')}${kt === 'u64' ? '' : ` ${kt}`} keys`, `mix ${p.mix}`, p.dist);
  if (p.cpus) parts.push(`CPUs ${cpusText(p.cpus)}`);
  return parts.join(' · ');
}

/** Groups in first-seen order. */
function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function labelFiles(paths: string[]): string[] {
  const base = paths.map((p) => p.split(/[\\/]/).pop() ?? p);
  return base.map((b, i) => (base.indexOf(b) === base.lastIndexOf(b) ? b : paths[i]!));
}

/** Attaches labels to parsed files (base names, or full paths where those clash). */
export function loadedFiles(inputs: Array<{ path: string; doc: ResultFile }>): LoadedFile[] {
  const labels = labelFiles(inputs.map((i) => i.path));
  return inputs.map((i, n) => ({ ...i, label: labels[n]! }));
}

/** `find` looks scenarios up by name (the registry; tests pass their own). */
export function buildModel(files: LoadedFile[], now = new Date(), find?: FindScenario): ReportModel {
  const multi = files.length > 1;
  const seriesOf = (pt: Point) => (multi ? `${pt.file.label}: ${pt.cell.params.map}` : pt.cell.params.map);

  const points: Point[] = files.flatMap((file) =>
    file.doc.cells.filter((c): c is CellRecordOk => c.status === 'ok').map((cell) => ({ file, cell })),
  );
  const colours = new Map<string, string>();
  for (const pt of points) {
    const s = seriesOf(pt);
    if (!colours.has(s)) colours.set(s, PALETTE[colours.size % PALETTE.length]!);
  }

  const charts: ChartSpec[] = [];
  const leftOut: string[] = [];
  /** The machine and command of each file the points come from: every chart says where its data came from. */
  const sourceOf = (pts: Point[]): string[] =>
    [...new Set(pts.map((pt) => pt.file))].map((f) => {
      const e = f.doc.environment;
      return `${multi ? `${f.label}: ` : ''}${e.cpuModel}, ${e.logicalCores} cores (${e.hostname}) · ${e.commandLine.join(' ')}`;
    });
  /** Line charts whose x axis would hold one value are left out, once per reason. */
  const oneValue = (pts: Point[], x: (c: CellRecordOk) => number, what: string, unit: (v: number) => string): boolean => {
    const xs = new Set(pts.map((pt) => x(pt.cell)));
    if (xs.size !== 1) return false;
    const line = `${what} left out: every cell ran ${unit([...xs][0]!)} (see the summary and the table)`;
    if (!leftOut.includes(line)) leftOut.push(line);
    return true;
  };
  const add = (section: SectionId, title: string, subtitle: string, series: SeriesOption[], axes: Pick<EChartsOption, 'xAxis' | 'yAxis'>, pts: Point[]) => {
    const names = series.map((s) => String(s.name));
    const source = sourceOf(pts);
    // The SVG images carry the source too, shortened to fit a subtitle line; the page shows it in full under the chart.
    const clip = (t: string) => (t.length > 110 ? `${t.slice(0, 109)}…` : t);
    subtitle = `${subtitle}\n${source.map(clip).join('\n')}`;
    charts.push({
      id: `chart-${charts.length + 1}`,
      section,
      title,
      series: names,
      source,
      option: {
        // A report is read, not watched: no animation, so a resize or a screenshot always shows the final chart.
        animation: false,
        color: names.map((n) => colours.get(n) ?? PALETTE[0]!),
        title: { text: title, subtext: subtitle, left: 'center', textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 12, lineHeight: 16 } },
        legend: { type: 'scroll', bottom: 0, data: names },
        grid: { left: 16, right: 40, top: 56 + 17 * subtitle.split('\n').length, bottom: 48, containLabel: true },
        tooltip: { trigger: 'item', confine: true },
        ...axes,
        series,
      },
    });
  };
  const lineStyle = (pt: Point) =>
    isPeer(pt.cell.params.design) ? PEER_LINE :
    PSEUDO_DESIGNS.has(pt.cell.params.design) ? { lineStyle: { type: 'dashed' as const }, symbol: 'emptyCircle' } : { symbol: 'circle' };

  /** One line per series; x from the cell, y (and tooltip extras) from `y`. Points without a y are left out. */
  const lines = (pts: Point[], x: (c: CellRecordOk) => number, y: (pt: Point) => number[] | null): SeriesOption[] =>
    [...groupBy(pts, seriesOf)].flatMap(([name, g]) => {
      const data = g
        .map((pt) => ({ x: x(pt.cell), v: y(pt) }))
        .filter((d): d is { x: number; v: number[] } => d.v !== null)
        .sort((a, b) => a.x - b.x)
        .map((d) => [d.x, ...d.v]);
      return data.length ? [{ name, type: 'line' as const, data, encode: { x: 0, y: 1 }, symbolSize: 7, ...lineStyle(g[0]!) }] : [];
    });

  /** Throughput point: [Mops/s, min, max, spread %, × floor (or -1)]. */
  const qps = (pt: Point): number[] | null => {
    const r = rateOf(pt.cell);
    if (!r) return null;
    return [r.median / 1e6, r.min / 1e6, r.max / 1e6, r.spreadPct, floorRatioOf(pt.file, pt.cell) ?? -1];
  };
  const mopsAxis = { type: 'value' as const, name: 'throughput (Mops/s)', ...Y_NAME, min: 0 };

  // Throughput vs threads, and the same as a fraction of the floor.
  for (const [, g] of groupBy(points, (pt) => facetOf(pt.cell, ['threads']))) {
    const sub = facetOf(g[0]!.cell, ['threads']);
    const threadsAxis = { type: 'value' as const, name: 'threads', nameLocation: 'middle' as const, nameGap: 28, minInterval: 1, scale: true };
    if (oneValue(g, (c) => c.params.threads, 'Throughput vs threads (and ÷ floor)', (v) => `with ${v} thread${v === 1 ? '' : 's'}`)) continue;
    const s = lines(g, (c) => c.params.threads, qps);
    if (s.length) add('qps-threads', 'Throughput vs threads', sub, s, { xAxis: threadsAxis, yAxis: mopsAxis }, g);
    const ratio = lines(
      g.filter((pt) => pt.cell.params.design !== FLOOR_DESIGN),
      (c) => c.params.threads,
      (pt) => {
        const f = floorRatioOf(pt.file, pt.cell);
        return f === null ? null : [f];
      },
    );
    if (ratio.length) {
      add('floor-ratio', 'Throughput ÷ floor vs threads', sub, ratio, {
        xAxis: threadsAxis,
        yAxis: { type: 'value', name: 'fraction of floor QPS', ...Y_NAME, min: 0 },
      }, g);
    }
  }

  // Latency percentile curves, one chart per cell parameters.
  for (const [, g] of groupBy(points, (pt) => facetOf(pt.cell, []))) {
    const series: SeriesOption[] = [];
    for (const pt of g) {
      const curve = pt.cell.summary.latency?.overall?.curve;
      if (!curve) continue;
      const data = curve.filter((q) => q.percentile < 100).map((q) => [1 / (1 - q.percentile / 100), q.ns, q.percentile]);
      if (data.length) series.push({ name: seriesOf(pt), type: 'line', data, encode: { x: 0, y: 1 }, symbolSize: 5, ...lineStyle(pt) });
    }
    if (series.length) {
      add('latency', 'Latency by percentile', facetOf(g[0]!.cell, []), series, {
        xAxis: { type: 'log', name: 'percentile', nameLocation: 'middle', nameGap: 28, min: 1, logBase: 10 },
        yAxis: { type: 'log', name: 'latency', ...Y_NAME },
      }, g);
    }
  }

  // Throughput and p99 vs load factor.
  for (const [, g] of groupBy(points, (pt) => facetOf(pt.cell, ['loadFactor']))) {
    const sub = facetOf(g[0]!.cell, ['loadFactor']);
    const lfAxis = { type: 'value' as const, name: 'load factor after prefill', nameLocation: 'middle' as const, nameGap: 28, scale: true };
    if (oneValue(g, (c) => c.params.loadFactor, 'Throughput and p99 vs load factor', (v) => `at load factor ${v}`)) continue;
    const s = lines(g, (c) => c.params.loadFactor, qps);
    if (s.length) add('qps-lf', 'Throughput vs load factor', sub, s, { xAxis: lfAxis, yAxis: mopsAxis }, g);
    const p99 = lines(g, (c) => c.params.loadFactor, (pt) => {
      const o = pt.cell.summary.latency?.overall;
      return o ? [o.p99Ns] : null;
    });
    if (p99.length) add('p99-lf', 'p99 latency vs load factor', sub, p99, { xAxis: lfAxis, yAxis: { type: 'value', name: 'p99 latency', ...Y_NAME, min: 0 } }, g);
  }

  // Allocations per op: bars per map, grouped by threads and load factor.
  for (const [, g] of groupBy(points, (pt) => facetOf(pt.cell, ['threads', 'loadFactor']))) {
    const category = (c: CellRecordOk) => `${c.params.threads} thr · lf ${c.params.loadFactor}`;
    const cats = [...new Set([...g].sort((a, b) => a.cell.params.threads - b.cell.params.threads || a.cell.params.loadFactor - b.cell.params.loadFactor).map((pt) => category(pt.cell)))];
    const series: SeriesOption[] = [...groupBy(g, seriesOf)].map(([name, sg]) => ({
      name,
      type: 'bar',
      data: cats.map((cat) => sg.find((pt) => category(pt.cell) === cat)?.cell.summary.allocationsPerOp ?? null),
      ...(isPeer(sg[0]!.cell.params.design) ? PEER_BAR : {}),
    }));
    add('alloc', 'Allocations per op', facetOf(g[0]!.cell, ['threads', 'loadFactor']), series, {
      xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: 'value', name: 'allocations per op', ...Y_NAME, min: 0 },
    }, g);
  }

  // Per-shard load of every sharded cell with statistics.
  for (const pt of points) {
    const st = pt.cell.stats;
    if (!st?.shardOps?.length) continue;
    const total = st.shardOps.reduce((a, b) => a + b, 0);
    const mean = total / st.shardOps.length;
    const skew = st.shardSkew;
    const sub = `${facetOf(pt.cell, [])}${skew ? `\nmax/mean ${skew.maxOverMean.toFixed(3)} · CV ${skew.cv.toFixed(3)} · hottest shard ${skew.hottestShard} (${(skew.hottestShare * 100).toFixed(2)}% of ops)` : ''}`;
    add('shards', `Ops per shard: ${seriesOf(pt)}`, sub, [{
      name: seriesOf(pt),
      type: 'bar',
      data: st.shardOps,
      barCategoryGap: '10%',
      markLine: { symbol: 'none', silent: true, label: { formatter: 'mean', position: 'insideEndTop' }, lineStyle: { type: 'dashed', color: '#333' }, data: [{ yAxis: mean }] },
    }], {
      xAxis: { type: 'category', name: 'shard', nameLocation: 'middle', nameGap: 28, data: st.shardOps.map((_, i) => String(i)) },
      yAxis: { type: 'value', name: 'ops (count)', ...Y_NAME, min: 0 },
    }, [pt]);
  }

  let n = charts.length;
  const scenarios = scenarioSections(files, () => `chart-${++n}`, find);
  charts.push(...scenarios.charts);

  const notes: string[] = [];
  for (const f of files) {
    if (f.doc.status !== 'complete') notes.push(`${f.label} is ${f.doc.status === 'running' ? 'still being written' : 'interrupted'}: it holds only the cells completed so far.`);
    if (!f.doc.cells.some((c) => c.status === 'ok')) notes.push(`${f.label} has no successful cell, so it adds nothing to the charts.`);
    const shaky = f.doc.cells.filter(isUnreliable).length;
    if (shaky > 0) {
      notes.push(`${f.label} has ${shaky} unreliable cell${shaky === 1 ? '' : 's'}: threads began measuring further apart than --max-skew even after reruns; they are drawn, and marked in the table.`);
    }
  }

  return {
    generatedAt: now.toISOString(),
    files: files.map((f) => ({
      label: f.label,
      path: f.path,
      status: f.doc.status,
      startedAt: f.doc.startedAt,
      updatedAt: f.doc.updatedAt,
      cells: {
        ok: f.doc.cells.filter((c) => c.status === 'ok').length,
        failed: f.doc.cells.filter((c) => c.status === 'failed').length,
        skipped: f.doc.cells.filter((c) => c.status === 'skipped').length,
        unreliable: f.doc.cells.filter(isUnreliable).length,
      },
      environment: f.doc.environment,
      warnings: f.doc.warnings,
    })),
    notes,
    scenarios: scenarios.sections,
    charts,
    leftOut,
    summaries: files.map((f) => ({ file: f.label, pivot: renderSummary(f.doc), warnings: renderWarnings(f.doc) })),
    rows: files.flatMap((f) => sortCells(f.doc.cells).map((c) => rowOf(f, c))),
  };
}

/** The order of the on-screen table (src/table.ts). */
function sortCells(cells: CellRecord[]): CellRecord[] {
  return [...cells].sort((a, b) =>
    a.params.mix.localeCompare(b.params.mix) || a.params.keys - b.params.keys || a.params.loadFactor - b.params.loadFactor ||
    a.params.threads - b.params.threads || keyTypeOf(a.params).localeCompare(keyTypeOf(b.params), 'en', { numeric: true }) ||
    a.params.map.localeCompare(b.params.map),
  );
}

function rowOf(file: LoadedFile, c: CellRecord): TableRow {
  const p = c.params;
  const base: TableRow = {
    file: file.label, key: c.key, status: c.status, map: p.map, threads: p.threads, loadFactor: p.loadFactor, keys: p.keys,
    keyType: keyTypeOf(p), mix: p.mix, dist: p.dist, cpus: cpusText(p.cpus), mopsPerSec: null, spreadPct: null, floorRatio: null, p50Ns: null,
    p99Ns: null, p999Ns: null, maxNs: null, allocationsPerOp: null, endLoadFactor: null, check: '', note: '', unreliable: '',
    peer: isPeer(p.design),
  };
  if (c.status === 'failed') return { ...base, note: c.error };
  if (c.status === 'skipped') return { ...base, note: c.reason };
  const r = rateOf(c);
  const o = c.summary.latency?.overall;
  const checks = c.repeats.map((x) => x.check);
  return {
    ...base,
    mopsPerSec: r ? r.median / 1e6 : null,
    spreadPct: r ? r.spreadPct : null,
    floorRatio: floorRatioOf(file, c),
    p50Ns: o?.p50Ns ?? null,
    p99Ns: o?.p99Ns ?? null,
    p999Ns: o?.p999Ns ?? null,
    maxNs: o?.maxNs ?? null,
    allocationsPerOp: c.summary.allocationsPerOp,
    endLoadFactor: c.summary.endLoadFactor,
    check: checks.every((x) => x === null) ? 'n/a' : checks.every((x) => x === null || x.ok) ? 'ok' : 'FAIL',
    unreliable: (c.unreliable ?? []).map((u) => `${u.pass} repeat ${u.repeat}: ${u.reason}`).join('; '),
  };
}
