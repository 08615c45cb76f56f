// Code that runs inside the report page. The page carries these functions as
// their own source text (Function.prototype.toString), so each must stand
// alone: no imports, no closure over module scope, only the globals a browser
// has. decorateOption also runs in Node to render the SVG images, so a chart
// looks the same in both.
import type { EChartsOption, EChartsType } from 'echarts';

/**
 * Adds the formatters a chart's plain-data option cannot carry (functions do
 * not survive JSON). Tooltips are HTML in ECharts, so every string that came
 * from a result file is escaped here before it joins the markup.
 */
export function decorateOption(section: string, option: EChartsOption): EChartsOption {
  const esc = (s: unknown) =>
    String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
  const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
  const ns = (v: number) => (v >= 1e6 ? `${num(v / 1e6, 2)} ms` : v >= 1e3 ? `${num(v / 1e3, v >= 1e4 ? 0 : 1)} µs` : `${num(v, 0)} ns`);
  // 1/(1 − p) back to a percentile label: 10 → 90%, 1000 → 99.9%.
  const pct = (x: number) => {
    if (x <= 1) return '0%';
    const p = 100 * (1 - 1 / x);
    const digits = Math.max(0, Math.min(6, Math.ceil(Math.log10(x) - 2 - 1e-9)));
    return `${p.toFixed(digits)}%`;
  };
  type Params = { seriesName?: string; value?: unknown; name?: string };
  const head = (p: Params) => `<b>${esc(p.seriesName)}</b><br>`;
  const values = (p: Params) => (Array.isArray(p.value) ? (p.value as number[]) : [Number(p.value)]);

  const o: EChartsOption = { ...option };
  const tooltip = { ...(o.tooltip as object) } as Record<string, unknown>;
  const x = { ...(o.xAxis as object) } as Record<string, unknown>;
  const y = { ...(o.yAxis as object) } as Record<string, unknown>;
  let format: ((p: Params) => string) | undefined;
  if (section === 'qps-threads' || section === 'qps-lf') {
    const xName = section === 'qps-threads' ? 'threads' : 'load factor';
    format = (p) => {
      const [xv = 0, med = 0, min = 0, max = 0, spread = 0, floor = -1] = values(p);
      return `${head(p)}${xName} ${esc(xv)}<br>median ${num(med, 2)} Mops/s<br>min–max ${num(min, 2)}–${num(max, 2)} (spread ${num(spread, 1)}%)` +
        (floor >= 0 ? `<br>${num(floor, 2)} × floor` : '');
    };
  } else if (section === 'floor-ratio') {
    format = (p) => `${head(p)}threads ${esc(values(p)[0])}<br>${num(values(p)[1] ?? NaN, 3)} × floor QPS`;
  } else if (section === 'latency') {
    x.axisLabel = { formatter: (v: number) => pct(v) };
    y.axisLabel = { formatter: (v: number) => ns(v) };
    format = (p) => `${head(p)}p${esc(values(p)[2])}: ${ns(values(p)[1] ?? NaN)}`;
  } else if (section === 'p99-lf') {
    y.axisLabel = { formatter: (v: number) => ns(v) };
    format = (p) => `${head(p)}load factor ${esc(values(p)[0])}<br>p99 ${ns(values(p)[1] ?? NaN)}`;
  } else if (section === 'alloc') {
    format = (p) => `${head(p)}${esc(p.name)}<br>${num(values(p)[0] ?? NaN, 4)} allocations / op`;
  } else if (section === 'shards') {
    format = (p) => `${head(p)}shard ${esc(p.name)}: ${esc(values(p)[0])} ops`;
  } else if (section === 'scenario') {
    // Any scenario's chart: the point's x and y, named by the axes (a category axis gives x as the name).
    const fig = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumSignificantDigits: 4 }) : String(v));
    format = (p) => {
      const [xv, yv] = Array.isArray(p.value) ? (p.value as unknown[]) : [p.name, p.value];
      return `${head(p)}${esc(x.name ?? 'x')} ${esc(fig(xv))}<br>${esc(fig(yv))} ${esc(y.name ?? '')}`;
    };
  }
  if (format) tooltip.formatter = format;
  o.tooltip = tooltip;
  o.xAxis = x;
  o.yAxis = y;
  return o;
}

/** The page's entry point: one chart per container, from the JSON data block. */
export function pageMain(): void {
  type Spec = { id: string; section: string; option: EChartsOption };
  const echarts = (globalThis as unknown as { echarts: { init: (el: HTMLElement) => EChartsType } }).echarts;
  const dataEl = document.getElementById('mapbench-data');
  const data = JSON.parse(dataEl?.textContent ?? '{}') as { charts?: Spec[] };
  const charts: EChartsType[] = [];
  for (const spec of data.charts ?? []) {
    const el = document.getElementById(spec.id);
    if (!el) continue;
    const chart = echarts.init(el);
    chart.setOption(decorateOption(spec.section, spec.option));
    charts.push(chart);
  }
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => charts.forEach((c) => c.resize()));
  });
  document.documentElement.dataset.chartsRendered = String(charts.length);
}
