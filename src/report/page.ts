// The report page: one self-contained HTML file. Tables, warnings, the
// environment and the scenario sections' findings are rendered here as
// escaped markup; the charts are drawn in the page by the inlined chart
// library from the model, which travels as JSON in a non-executable
// <script type="application/json"> block. A
// Content-Security-Policy allows only the two inline scripts by hash and no
// network at all, so even a string that escaped escaping could not run.
import { createHash } from 'node:crypto';

import type { ScenarioTable } from '../scenarios/scenario.js';
import { Html, html, scriptCode, scriptJson } from './html.js';
import { type ChartSpec, type ReportModel, SECTIONS, type TableRow } from './model.js';
import { decorateOption, pageMain } from './page-script.js';
import type { ScenarioSection } from './scenarios.js';

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg-alt: #f5f7fa; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1440px; margin: 0 auto; padding: 16px clamp(8px, 3vw, 32px) 48px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 4px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 4px; }
p, li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; list-style: none; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 16px; }
.chart { height: 400px; min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
.chart-figure { margin: 0; min-width: 0; }
.source { font-size: 12px; color: #555; overflow-wrap: anywhere; margin-top: 4px; }
.source span { display: block; }
pre.summary, pre.summary-warnings { overflow-x: auto; max-width: 100%; font-size: 13px; line-height: 1.35; }
pre.summary-warnings { white-space: pre-wrap; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; width: 100%; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: #fff; }
th.t, td.t { text-align: left; }
td.name { white-space: normal; overflow-wrap: break-word; max-width: 24ch; }
tbody tr:nth-child(even) { background: var(--bg-alt); }
tr.failed td, tr.skipped td { color: var(--bad); }
tr.unreliable td { font-style: italic; }
.unreliable-tag { font-style: normal; font-size: 10.5px; color: var(--bad); border: 1px solid var(--bad); border-radius: 3px; padding: 0 3px; margin-left: 4px; }
tr.peer td.name { font-style: italic; }
.peer-tag { font-style: normal; font-size: 10.5px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; margin-left: 4px; }
tr.note td { white-space: normal; text-align: left; overflow-wrap: anywhere; }
.warnings li { margin: 4px 0; }
code { font-size: 12.5px; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 16px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.claim { margin: 8px 0; padding: 6px 12px; border-left: 3px solid var(--line); background: var(--bg-alt); }
.findings li { margin: 4px 0; }
`;

function fmt(v: number | null, digits: number): string {
  return v === null ? '' : v.toFixed(digits);
}

function fmtNs(v: number | null): string {
  if (v === null) return '';
  return v >= 1e4 ? `${(v / 1e3).toFixed(1)} µs` : `${v.toFixed(0)} ns`;
}

function cellsTable(model: ReportModel): Html {
  const multi = model.files.length > 1;
  const hasCpus = model.rows.some((r) => r.cpus !== '');
  const hasLatency = model.rows.some((r) => r.p50Ns !== null);
  const hasKeyTypes = model.rows.some((r) => r.keyType !== 'u64');
  const head: Array<[string, boolean]> = [
    ...(multi ? [['file', true] as [string, boolean]] : []),
    ['map', true], ['threads', false], ['load factor', false], ['keys', false],
    ...(hasKeyTypes ? [['key type', true] as [string, boolean]] : []),
    ['mix', true], ['dist', true],
    ...(hasCpus ? [['CPUs', true] as [string, boolean]] : []),
    ['status', true], ['Mops/s', false], ['spread %', false], ['× floor', false],
    ...(hasLatency ? (['p50', 'p99', 'p99.9', 'max'].map((h) => [h, false]) as Array<[string, boolean]>) : []),
    ['allocs/op', false], ['end load factor', false], ['check', true],
  ];
  const row = (r: TableRow) => {
    const cells: Html[] = [
      ...(multi ? [html`<td class="t name">${r.file}</td>`] : []),
      r.peer ? html`<td class="t name">${r.map}<span class="peer-tag" title="another library's map (native/peers/)">peer</span></td>` : html`<td class="t name">${r.map}</td>`,
      html`<td>${r.threads}</td><td>${r.loadFactor}</td><td>${r.keys.toLocaleString('en-US')}</td>`,
      ...(hasKeyTypes ? [html`<td class="t">${r.keyType}</td>`] : []),
      html`<td class="t">${r.mix}</td><td class="t">${r.dist}</td>`,
      ...(hasCpus ? [html`<td class="t">${r.cpus}</td>`] : []),
      r.unreliable
        ? html`<td class="t">${r.status}<span class="unreliable-tag" title="threads began measuring further apart than --max-skew, reruns included">unreliable</span></td>`
        : html`<td class="t">${r.status}</td>`,
      html`<td>${fmt(r.mopsPerSec, 2)}</td><td>${fmt(r.spreadPct, 1)}</td><td>${fmt(r.floorRatio, 2)}</td>`,
      ...(hasLatency ? [html`<td>${fmtNs(r.p50Ns)}</td><td>${fmtNs(r.p99Ns)}</td><td>${fmtNs(r.p999Ns)}</td><td>${fmtNs(r.maxNs)}</td>`] : []),
      html`<td>${fmt(r.allocationsPerOp, 3)}</td><td>${fmt(r.endLoadFactor, 3)}</td><td class="t">${r.check}</td>`,
    ];
    const classes = [r.status, ...(r.peer ? ['peer'] : []), ...(r.unreliable ? ['unreliable'] : [])].join(' ');
    const main = html`<tr class="${classes}" title="${r.key}">${cells}</tr>`;
    if (r.unreliable) return html`${main}<tr class="note unreliable"><td colspan="${head.length}">unreliable: ${r.unreliable}</td></tr>`;
    if (!r.note) return main;
    const what = r.status === 'failed' ? 'error' : 'reason';
    return html`${main}<tr class="note ${r.status}"><td colspan="${head.length}">${what}: ${r.note}</td></tr>`;
  };
  return html`<div class="table-wrap"><table>
<thead><tr>${head.map(([h, left]) => html`<th class="${left ? 't' : ''}">${h}</th>`)}</tr></thead>
<tbody>${model.rows.map(row)}</tbody>
</table></div>`;
}

function chartBox(c: ChartSpec): Html {
  const box = html`<div class="chart" id="${c.id}" role="img" aria-label="${c.title}: ${c.series.join(', ')}"></div>`;
  if (!c.source?.length) return box;
  return html`<figure class="chart-figure">${box}<figcaption class="source">${c.source.map((l) => html`<span>${l}</span>`)}</figcaption></figure>`;
}

/** The console's answer, first: per file the pivoted summary and the warnings grouped by kind. */
function summaryBlock(model: ReportModel): Html {
  return html`${model.summaries.map(
    (s) => html`${model.files.length > 1 ? html`<h3>${s.file}</h3>` : ''}<pre class="summary">${s.pivot}</pre>${s.warnings ? html`<pre class="summary-warnings">${s.warnings}</pre><p class="muted">What the warnings mean for these figures: a cell named there is noisier than its run allowed (or was measured under the condition named); read its ratios as approximate and compare it with <code>npm run compare</code>, which tests the raw repeats.</p>` : ''}`,
  )}${model.leftOut.length ? html`<ul class="left-out">${model.leftOut.map((l) => html`<li>${l}</li>`)}</ul>` : ''}`;
}

/**
 * A scenario's table as the scenario gave it. A column reads as figures
 * (right-aligned) when every cell in it is a number, or text that starts like
 * one (scenarios often pre-format: "1.23", "4.5 µs", "n/a").
 */
function scenarioTable(t: ScenarioTable): Html {
  const figureLike = (v: string | number | null) => v === null || typeof v === 'number' || /^(n\/a$|[-+−]?[\d.])/.test(v) || v === '';
  const left = t.columns.map((_, i) => !t.rows.every((r) => figureLike(r[i] ?? null)));
  const text = (v: string | number | null) =>
    v === null ? '' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v)) : v;
  return html`<h3>${t.title}</h3><div class="table-wrap"><table>
<thead><tr>${t.columns.map((c, i) => html`<th class="${left[i] ? 't' : ''}">${c}</th>`)}</tr></thead>
<tbody>${t.rows.map((r) => html`<tr>${t.columns.map((_, i) => html`<td class="${left[i] ? 't' : ''}">${text(r[i] ?? null)}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function scenarioBlock(s: ScenarioSection, model: ReportModel): Html {
  const from = html`<p class="muted">Scenario <code>${s.scenario}</code> · ${s.file}</p>`;
  if (s.note !== null) return html`<section id="${s.id}" class="scenario"><h2>${s.title}</h2>${from}<p class="note">${s.note}</p></section>`;
  const charts = s.charts.map((id) => model.charts.find((c) => c.id === id)).filter((c): c is ChartSpec => c !== undefined);
  return html`<section id="${s.id}" class="scenario"><h2>${s.title}</h2>${from}
<p class="claim"><b>Claim tested:</b> ${s.claim}</p>
<h3>Findings</h3>${s.findings.length ? html`<ul class="findings">${s.findings.map((f) => html`<li>${f}</li>`)}</ul>` : html`<p class="muted">None.</p>`}
${charts.length ? html`<div class="charts">${charts.map(chartBox)}</div>` : ''}
${s.tables.map(scenarioTable)}</section>
`;
}

function environmentBlock(model: ReportModel): Html {
  return html`${model.files.map((f) => {
    const e = f.environment;
    const b = e.build;
    const items: Array<[string, string]> = [
      ['file', f.path],
      ['status', `${f.status} (${f.cells.ok} ok${f.cells.unreliable ? ` of which ${f.cells.unreliable} unreliable` : ''}, ${f.cells.failed} failed, ${f.cells.skipped} skipped)`],
      ['run', `${f.startedAt} → ${f.updatedAt}`],
      ['command', e.commandLine.join(' ')],
      ['host', `${e.hostname} (${e.platform}, kernel ${e.kernel})`],
      ['CPU', `${e.cpuModel}, ${e.logicalCores} logical cores, TSC ${(e.tscHz / 1e9).toFixed(3)} GHz`],
      ['caches', Object.entries(e.caches).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['memory', `${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB; load average ${e.loadAverage.map((l) => l.toFixed(2)).join(' ')}`],
      ['Node / V8', e.node === undefined ? 'none (written by mapbench_native, without Node)' : `${e.node} / ${e.v8 ?? 'unknown'}`],
      ['addon build', `${b.compiler} ${b.flags} (${b.buildSystem}, pad ${b.pad}${b.marchNative ? ', -march=native' : ''}${b.debug ? ', DEBUG' : ''}); transparent huge pages: ${b.transparentHugePages}`],
      ['git', `${e.git.commit ?? 'unknown'}${e.git.dirty ? ' (dirty)' : ''}`],
      ['latency timer', `p50 ${e.timerOverheadNs.p50.toFixed(1)} ns, mean ${e.timerOverheadNs.mean.toFixed(1)} ns (included in every latency figure)`],
    ];
    return html`<h3>${f.label}</h3><dl>${items.map(([k, v]) => html`<dt>${k}</dt><dd>${k === 'command' ? html`<code>${v}</code>` : v}</dd>`)}</dl>`;
  })}`;
}

function warningsBlock(model: ReportModel): Html {
  const any = model.notes.length > 0 || model.files.some((f) => f.warnings.length > 0);
  if (!any) return html`<p class="muted">None.</p>`;
  return html`${model.notes.length ? html`<ul class="warnings">${model.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
${model.files.filter((f) => f.warnings.length).map((f) => html`${model.files.length > 1 ? html`<h3>${f.label}</h3>` : ''}<ul class="warnings">${f.warnings.map(
  (w) => html`<li><b>${w.message}</b>${w.cellKey ? html` <code>${w.cellKey}</code>` : ''} — ${w.advice}</li>`,
)}</ul>`)}`;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The whole page. `library` is the chart library's browser build, read from node_modules. */
export function renderPage(model: ReportModel, library: string): string {
  // Script bodies are not HTML: they go in as they are, made safe for a <script> element by scriptJson / scriptCode.
  const lib = scriptCode(library);
  const code = scriptCode(`${decorateOption.toString()}\n(${pageMain.toString()})();`);
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(code)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const sections = SECTIONS.map((s) => ({ ...s, charts: model.charts.filter((c) => c.section === s.id) })).filter((s) => s.charts.length);
  const warningCount = model.notes.length + model.files.reduce((n, f) => n + f.warnings.length, 0);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>mapbench report</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
<h1>mapbench report</h1>
<p class="muted">${model.files.length === 1 ? '1 result file' : `${model.files.length} result files`}: ${model.files.map((f) => f.label).join(', ')} · generated ${model.generatedAt}</p>
<section id="summary"><h2>Summary</h2>${summaryBlock(model)}</section>
<nav><ul>
<li><a href="#summary">Summary</a></li>
<li><a href="#warnings">Warnings (${warningCount})</a></li>
${model.scenarios.map((s) => html`<li><a href="#${s.id}">${s.title}${model.files.length > 1 ? ` (${s.file})` : ''}</a></li>`)}
${sections.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}
<li><a href="#cells">Every cell</a></li>
<li><a href="#environment">Environment</a></li>
</ul></nav>
<section id="warnings"><h2>Warnings</h2>${warningsBlock(model)}</section>
${model.scenarios.map((s) => scenarioBlock(s, model))}
${sections.map((s) => html`<section id="${s.id}"><h2>${s.title}</h2><p class="muted">${s.blurb}</p>
<div class="charts">${s.charts.map(chartBox)}</div></section>
`)}
<section id="cells"><h2>Every cell</h2><p class="muted">Median over repeats; × floor is the map’s QPS divided by the floor cell with the same parameters; latency includes the timer bracket. Hover a row for its cell key.</p>
${cellsTable(model)}</section>
<section id="environment"><h2>Environment</h2>${environmentBlock(model)}</section>
</main>
<script type="application/json" id="mapbench-data">${new Html(scriptJson(model))}</script>
<script>${new Html(lib)}</script>
<script>${new Html(code)}</script>
</body>
</html>
`;
  return page.text;
}
