// Scenario sections of the HTML report: a result file naming a scenario is
// read back by that scenario's own findings, charts and tables (lf-knee on a
// synthetic file here, plus a made-up scenario for the chart kinds lf-knee
// does not use), an unknown name gives a note, every scenario chart is
// written as an SVG image, and the section renders in headless Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';


import { SCENARIOS } from '../../src/scenarios/index.js';
import { lfKnee } from '../../src/scenarios/lf-knee.js';
import { buildReport, renderReport, svgPath } from '../../src/report/index.js';
import { buildModel, type ChartSpec, loadedFiles, type ReportModel } from '../../src/report/model.js';
import { renderPage } from '../../src/report/page.js';
import { type FindScenario, SCENARIO_SECTION, scenarioOption } from '../../src/report/scenarios.js';
import type { Scenario, ScenarioChart } from '../../src/scenarios/scenario.js';
import type { ResultFile } from '../../src/schema.js';
import { mainFixture, resultFile, SCRIPT_MAP } from './fixtures/report/result-file.js';
import { LF_KNEE_LOAD_FACTORS, LF_KNEE_MAPS, lfKneeFixture } from './fixtures/report/scenario.js';
import { launchChromium, skipWithoutChromium } from './fixtures/report/browser.js';

const tmp = (what: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mapbench-report-${what}-`));
const modelOf = (inputs: Array<[string, ResultFile]>, find?: FindScenario) =>
  buildModel(loadedFiles(inputs.map(([p, doc]) => ({ path: p, doc }))), new Date('2026-01-01T00:00:00Z'), find);
const chartsOf = (m: ReportModel, ids: string[]) => ids.map((id) => m.charts.find((c) => c.id === id)!);
type Series = { name: string; type: string; data: unknown[] };
const seriesOf = (c: ChartSpec) => c.option.series as Series[];

function writeJson(dir: string, name: string, data: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify(data));
  return p;
}

/** A scenario with the chart kinds lf-knee has not: bars on categories, a log x axis, gaps. */
const TOY: Scenario = {
  name: 'toy',
  title: 'A toy study <i>of</i> charts',
  claim: 'Bars & lines <b>both</b> draw.',
  flags: {},
  smoke: {},
  findings: (doc) => [{ text: `toy: ${doc.cells.length} cells <script>`, value: doc.cells.length }],
  charts: () => [
    {
      id: 'toy-bars', title: 'Bars', kind: 'bar', xLabel: 'pad', yLabel: 'Mops/s', xType: 'category',
      series: [
        { name: 'a', points: [['packed', 1], ['64', 2]] },
        { name: 'b', points: [['64', 3], ['128', null]] },
      ],
    },
    {
      id: 'toy/log x', title: 'Log x', kind: 'line', xLabel: 'threads', yLabel: 'ns', xType: 'log', yLog: true,
      series: [{ name: 'c', points: [[0, 5], [1, 10], [4, 0], [16, null], [64, 40]] }],
    },
  ],
};
const THROWS: Scenario = { ...TOY, name: 'throws', findings: () => { throw new Error('no cell at load factor 0.95\nstack'); } };
const withToys: FindScenario = (name) => [TOY, THROWS, lfKnee].find((s) => s.name === name);

test('lf-knee: the section holds the scenario\'s findings, charts and table, computed from the file', () => {
  const doc = lfKneeFixture();
  const m = modelOf([['results/scenarios/lf-knee.json', doc]]);
  assert.equal(m.scenarios.length, 1);
  const s = m.scenarios[0]!;
  assert.equal(s.note, null);
  assert.equal(s.scenario, 'lf-knee');
  assert.equal(s.title, lfKnee.title);
  assert.equal(s.claim, lfKnee.claim);
  assert.equal(s.file, 'lf-knee.json');

  assert.ok(s.findings.length >= LF_KNEE_MAPS.length);
  assert.deepEqual(s.findings, lfKnee.findings(doc).map((f) => f.text));

  const expected = lfKnee.charts(doc);
  const charts = chartsOf(m, s.charts);
  assert.deepEqual(charts.map((c) => c.svg), expected.map((c) => c.id));
  assert.deepEqual(charts.map((c) => c.title), expected.map((c) => c.title));
  for (const [i, c] of charts.entries()) {
    const names = expected[i]!.series.map((x) => x.name);
    assert.equal(c.section, SCENARIO_SECTION);
    assert.deepEqual(c.series, names, c.title);
    assert.deepEqual((c.option.legend as { data: string[] }).data, names, `${c.title} legend`);
    assert.deepEqual(seriesOf(c).map((x) => x.name), names);
  }
  assert.deepEqual(charts[0]!.series, LF_KNEE_MAPS);

  // Axes as asked (value x, log y), lines, and the failed cell as a gap.
  const p99 = charts.find((c) => c.svg === 'lf-knee-p99-miss')!;
  assert.deepEqual(p99.option.xAxis, { type: 'value', scale: true, name: 'load factor', nameLocation: 'middle', nameGap: 28 });
  assert.equal((p99.option.yAxis as { type: string; name: string }).type, 'log');
  assert.equal((p99.option.yAxis as { type: string; name: string }).name, 'ns');
  const mutex = seriesOf(p99).find((x) => x.name === 'mutex')!;
  assert.equal(mutex.type, 'line');
  assert.deepEqual(mutex.data.map((d) => (d as number[])[0]), LF_KNEE_LOAD_FACTORS);
  assert.deepEqual(mutex.data[2], [0.95, null]);
  const lockfree = seriesOf(p99).find((x) => x.name === 'lockfree')!.data as number[][];
  assert.equal(lockfree[2]![1]! / lockfree[1]![1]!, 3.7);

  assert.deepEqual(s.tables, lfKnee.tables!(doc));
  assert.equal(s.tables[0]!.title, 'Mean probe lengths against Knuth');
  assert.equal(s.tables[0]!.rows.length, LF_KNEE_MAPS.length * LF_KNEE_LOAD_FACTORS.length);

  // The file's cells are still ordinary cells for the rest of the report.
  assert.equal(m.rows.length, doc.cells.length);
  assert.ok(m.charts.some((c) => c.section === 'qps-lf'));
  assert.equal(new Set(m.charts.map((c) => c.id)).size, m.charts.length, 'chart ids are unique');
});

test('files without a scenario: no scenario section; a scenario changes nothing else', () => {
  const plain = modelOf([['results/fixture.json', mainFixture()]]);
  assert.deepEqual(plain.scenarios, []);
  assert.ok(plain.charts.every((c) => c.section !== SCENARIO_SECTION && c.svg === undefined));
  // The same cells with and without the scenario name: the same generic charts and table.
  const { scenario: _, ...bare } = lfKneeFixture();
  const without = modelOf([['r.json', bare]]);
  const with_ = modelOf([['r.json', lfKneeFixture()]]);
  assert.deepEqual(with_.charts.filter((c) => c.section !== SCENARIO_SECTION), without.charts);
  assert.deepEqual(with_.rows, without.rows);
  assert.deepEqual(with_.notes, without.notes);
});

test('every registered scenario: its section builds from any result file, and its charts render as SVG', () => {
  // Scenarios read their own cells; given another study's file they find little, which must still
  // give a section (or a note), never a broken report.
  for (const s of SCENARIOS) {
    for (const doc of [lfKneeFixture(s.name), { ...mainFixture(), scenario: s.name }]) {
      const m = modelOf([['r.json', doc]]);
      assert.equal(m.scenarios.length, 1, s.name);
      const section = m.scenarios[0]!;
      assert.equal(section.title, s.title);
      if (section.note !== null) {
        assert.match(section.note, new RegExp(`^scenario ${s.name} could not read r\\.json: `));
        continue;
      }
      const charts = chartsOf(m, section.charts);
      assert.deepEqual(charts.map((c) => c.svg), s.charts(doc).map((c) => c.id), s.name);
      const svgs = renderReport(m, path.join(os.tmpdir(), 'unused.html')).svgs;
      for (const c of charts) assert.ok(svgs.has(svgPath(path.join(os.tmpdir(), 'unused.html'), c.svg!)), `${s.name} ${c.svg}`);
      assert.ok(renderPage(m, '').includes(`<section id="scenario-1" class="scenario">`));
    }
  }
});

test('an unknown scenario name gives a one-line note in its section, escaped in the page', () => {
  const doc = resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5, opsPerSec: 1e6 }], { scenario: 'no-such-<b>study</b>' });
  const m = modelOf([['results/odd.json', doc]]);
  assert.equal(m.scenarios.length, 1);
  const s = m.scenarios[0]!;
  assert.equal(s.note, 'odd.json names scenario "no-such-<b>study</b>", which this mapbench does not know: its findings and charts cannot be shown.');
  assert.deepEqual([s.findings, s.charts, s.tables], [[], [], []]);
  assert.ok(m.charts.length > 0, 'the file\'s cells still chart');
  const page = renderPage(m, '/* chart library */');
  assert.ok(page.includes('names scenario &quot;no-such-&lt;b&gt;study&lt;/b&gt;&quot;, which this mapbench does not know'));
  assert.ok(!page.includes('<b>study</b>'));
  assert.match(page, /<section id="scenario-1" class="scenario">/);
});

test('any scenario through the interface: category bars, log x, gaps; several files in input order; a failing reader gives a note', () => {
  const lf = lfKneeFixture();
  const m = modelOf([
    ['toy.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5 }], { scenario: 'toy' })],
    ['plain.json', mainFixture()],
    ['lf-knee.json', lf],
    ['broken.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5 }], { scenario: 'throws' })],
    ['unknown.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5 }], { scenario: 'nope' })],
  ], withToys);
  assert.deepEqual(m.scenarios.map((s) => [s.id, s.file, s.scenario]), [
    ['scenario-1', 'toy.json', 'toy'], ['scenario-2', 'lf-knee.json', 'lf-knee'], ['scenario-3', 'broken.json', 'throws'], ['scenario-4', 'unknown.json', 'nope'],
  ]);
  assert.deepEqual(m.scenarios.map((s) => s.note === null), [true, true, false, false]);
  assert.equal(m.scenarios[2]!.note, 'scenario throws could not read broken.json: no cell at load factor 0.95');
  assert.deepEqual(m.scenarios[0]!.findings, ['toy: 1 cells <script>']);

  const [bars, logx] = chartsOf(m, m.scenarios[0]!.charts);
  assert.deepEqual((bars!.option.xAxis as { type: string; data: string[] }).data, ['packed', '64', '128'], 'categories in first-seen order');
  assert.equal((bars!.option.xAxis as { type: string }).type, 'category');
  assert.deepEqual(seriesOf(bars!).map((x) => [x.name, x.type, x.data]), [['a', 'bar', [1, 2, null]], ['b', 'bar', [null, 3, null]]]);
  assert.equal((logx!.option.xAxis as { type: string }).type, 'log');
  assert.equal((logx!.option.yAxis as { type: string }).type, 'log');
  // x = 0 cannot sit on a log axis (dropped); y = 0 on a log axis and a missing y are gaps.
  assert.deepEqual(seriesOf(logx!)[0]!.data, [[1, 10], [4, null], [16, null], [64, 40]]);

  // A value y axis (not log) keeps zero; the chart's subtitle names the scenario and file.
  const opt = scenarioOption({ ...(TOY.charts(lf)[1] as ScenarioChart), xType: 'value', yLog: false }, 'sub');
  assert.deepEqual((opt.series as Series[])[0]!.data, [[0, 5], [1, 10], [4, 0], [16, null], [64, 40]]);
  assert.equal((opt.yAxis as { type: string }).type, 'value');
  assert.equal((bars!.option.title as { subtext: string }).subtext, 'toy · toy.json');

  const page = renderPage(m, '/* chart library */');
  const order = ['scenario-1', 'scenario-2', 'scenario-3', 'scenario-4', 'qps-threads', 'cells'].map((id) => page.indexOf(`<section id="${id}"`));
  assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)), `sections in order: ${order}`);
  assert.ok(page.includes('A toy study &lt;i&gt;of&lt;/i&gt; charts'));
  assert.ok(page.includes('Bars &amp; lines &lt;b&gt;both&lt;/b&gt; draw.'));
  assert.ok(page.includes('<li>toy: 1 cells &lt;script&gt;</li>'));
  assert.ok(!page.includes(SCRIPT_MAP) && !page.includes('<b>both'));
});

test('SVG images: one per scenario chart, named by its chart id; clashes get -2', () => {
  const dir = tmp('scenario-svg');
  const a = writeJson(dir, 'a.json', lfKneeFixture());
  fs.mkdirSync(path.join(dir, 'again'));
  const b = writeJson(path.join(dir, 'again'), 'a.json', lfKneeFixture());
  const out = path.join(dir, 'out', 'report.html');
  fs.mkdirSync(path.dirname(out));
  const written = buildReport([a, b], out);

  const ids = lfKnee.charts(lfKneeFixture()).map((c) => c.id);
  // The lf-knee cells all ran one thread count: no throughput-vs-threads chart, so no image of it.
  const key = ['latency', 'qps-load-factor'].map((s) => svgPath(out, s));
  const scenario = [...ids.map((id) => svgPath(out, id)), ...ids.map((id) => svgPath(out, `${id}-2`))];
  assert.deepEqual([...written].sort(), [out, ...key, ...scenario].sort());
  assert.deepEqual(fs.readdirSync(path.dirname(out)).sort(), written.map((p) => path.basename(p)).sort(), 'nothing else written');
  const titles = lfKnee.charts(lfKneeFixture()).map((c) => c.title);
  for (const [i, p] of scenario.entries()) {
    const text = fs.readFileSync(p, 'utf8');
    assert.match(text, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(text.includes(titles[i % ids.length]!), `${p} has its title`);
    assert.ok(text.includes('lockfree'), `${p} has its legend`);
    assert.ok(!text.includes('<script'));
  }

  // A chart id that is no file name still gives a safe one.
  const toyOut = path.join(tmp('scenario-svg-toy'), 'r.html');
  const m = modelOf([['toy.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5 }], { scenario: 'toy' })]], withToys);
  const svgs = renderReport(m, toyOut).svgs;
  assert.ok(svgs.has(svgPath(toyOut, 'toy-bars')));
  assert.ok(svgs.has(svgPath(toyOut, 'toy-log-x')));
});

test('in Chromium: the scenario section shows its findings, table and charts, with no errors', {
  skip: skipWithoutChromium,
  timeout: 120_000,
}, async (t) => {
  const dir = tmp('scenario-browser');
  const doc = lfKneeFixture();
  // lf-knee, an unknown name, and the toy scenario for bars on categories and a log x axis.
  const m = modelOf([
    ['lf-knee.json', doc],
    ['unknown.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5, opsPerSec: 1e6 }], { scenario: 'no-such-study' })],
    ['toy.json', resultFile([{ map: 'lockfree', threads: 1, loadFactor: 0.5, opsPerSec: 1e6 }], { scenario: 'toy' })],
  ], withToys);
  const out = path.join(dir, 'report.html');
  fs.writeFileSync(out, renderReport(m, out).html);

  const userDataDir = tmp('chromium-profile');
  const context = await launchChromium(userDataDir);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));

    const url = pathToFileURL(out).href;
    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.chartsRendered !== undefined, undefined, { timeout: 30_000 });

    const seen = await page.evaluate(() => {
      type Chart = { getOption(): { series: Array<{ name: string }> } };
      const ec = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): Chart | undefined } }).echarts;
      const section = document.getElementById('scenario-1')!;
      const text = (sel: string) => [...section.querySelectorAll(sel)].map((e) => e.textContent ?? '');
      return {
        title: section.querySelector('h2')?.textContent ?? '',
        claim: section.querySelector('.claim')?.textContent ?? '',
        findings: text('.findings li'),
        tableHead: text('table th'),
        tableRows: section.querySelectorAll('table tbody tr').length,
        charts: [...section.querySelectorAll('.chart')].map((el) => {
          const box = el.querySelector('canvas, svg')?.getBoundingClientRect();
          return {
            rendered: !!box && box.width > 100 && box.height > 100,
            series: ec.getInstanceByDom(el)?.getOption().series.map((s) => s.name) ?? null,
          };
        }),
        note: document.querySelector('#scenario-2 .note')?.textContent ?? '',
        toy: [...document.querySelectorAll('#scenario-3 .chart')].map((el) => {
          const box = el.querySelector('canvas, svg')?.getBoundingClientRect();
          return !!box && box.width > 100 && box.height > 100;
        }),
        nav: [...document.querySelectorAll('nav a')].map((a) => a.getAttribute('href')),
      };
    });
    assert.equal(seen.title, lfKnee.title);
    assert.equal(seen.claim, `Claim tested: ${lfKnee.claim}`);
    assert.deepEqual(seen.findings, lfKnee.findings(doc).map((f) => f.text));
    assert.deepEqual(seen.tableHead, lfKnee.tables!(doc)[0]!.columns);
    assert.equal(seen.tableRows, LF_KNEE_MAPS.length * LF_KNEE_LOAD_FACTORS.length);
    assert.deepEqual(seen.charts, lfKnee.charts(doc).map((c) => ({ rendered: true, series: c.series.map((s) => s.name) })));
    assert.match(seen.note, /^unknown\.json names scenario "no-such-study", which this mapbench does not know/);
    assert.deepEqual(seen.toy, [true, true]);
    assert.deepEqual(seen.nav.slice(0, 5), ['#summary', '#warnings', '#scenario-1', '#scenario-2', '#scenario-3']);

    // Each scenario chart's tooltip, on the first point of its first series with data.
    const tips = await page.evaluate(async () => {
      type Chart = { dispatchAction(a: object): void };
      const ec = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): Chart } }).echarts;
      const shown: string[] = [];
      for (const el of document.querySelectorAll('#scenario-1 .chart, #scenario-3 .chart')) {
        ec.getInstanceByDom(el).dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 });
        await new Promise((r) => setTimeout(r, 50));
        // The tooltip is the div whose markup starts with the series name in bold.
        const tip = [...el.querySelectorAll('div')].find((d) => d.querySelector(':scope > b'));
        shown.push(tip?.textContent ?? '');
        ec.getInstanceByDom(el).dispatchAction({ type: 'hideTip' });
      }
      return shown;
    });
    assert.match(tips[0]!, /^lockfreeload factor 0\.5[\d.,]+ ns$/, tips[0]);
    assert.match(tips[2]!, /^lockfreeload factor 0\.510,000,000 ops\/s$/, tips[2]);
    assert.match(tips[3]!, /^lockfree missload factor 0\.5[\d.,]+ probes$/, tips[3]);
    assert.deepEqual(tips.slice(4), ['apad packed1 Mops/s', 'cthreads 110 ns'], 'category bars and a log x axis');

    for (const width of [1280, 420]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(150);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `no sideways scroll at ${width}px (${scrollWidth} > ${clientWidth})`);
    }

    await page.setViewportSize({ width: 1280, height: 900 });
    const top = await page.evaluate(() => document.getElementById('scenario-1')!.getBoundingClientRect().top + window.scrollY);
    const bottom = await page.evaluate(() => document.getElementById('scenario-3')!.getBoundingClientRect().bottom + window.scrollY);
    await page.setViewportSize({ width: 1280, height: Math.ceil(bottom) + 20 });
    await page.waitForTimeout(300);
    const shot = path.join(os.tmpdir(), `mapbench-report-scenario-${process.pid}.png`);
    await page.screenshot({ path: shot, clip: { x: 0, y: top, width: 1280, height: bottom - top } });
    t.diagnostic(`screenshot: ${shot}`);

    assert.deepEqual(pageErrors, [], 'no page errors');
    assert.deepEqual(consoleErrors, [], 'no console errors or warnings');
    assert.deepEqual(requests.filter((r) => r !== url), [], 'no request beyond the file itself');
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
});
