// The HTML report: its model from fixture result files, its escaping, the
// CLI's outputs and bad-input handling, and the page itself in a real
// headless Chromium (Debian's; skipped with a message where it is absent).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';


import { buildModel, loadedFiles, SECTIONS } from '../../src/report/model.js';
import { buildReport, svgPath } from '../../src/report/index.js';
import { renderPage } from '../../src/report/page.js';
import type { ResultFile } from '../../src/schema.js';
import { MAIN_FIXTURE_CHARTS, mainFixture, resultFile, SCRIPT_MAP } from './fixtures/report/result-file.js';
import { launchChromium, skipWithoutChromium } from './fixtures/report/browser.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/report.js');
const tmp = (what: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mapbench-report-${what}-`));
const report = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

function writeJson(dir: string, name: string, data: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

const model = () => buildModel(loadedFiles([{ path: 'results/fixture.json', doc: mainFixture() }]), new Date('2026-01-01T00:00:00Z'));

test('the model has the expected charts and series for each section', () => {
  const m = model();
  for (const s of SECTIONS) {
    const expected = MAIN_FIXTURE_CHARTS[s.id];
    const charts = m.charts.filter((c) => c.section === s.id);
    assert.equal(charts.length, expected.charts, s.id);
    for (const c of charts) {
      assert.deepEqual(c.series, expected.series, `${s.id} ${c.id}`);
      assert.ok(c.title && c.option.title, `${c.id} has a title`);
      assert.deepEqual((c.option.legend as { data: string[] }).data, expected.series, `${c.id} legend`);
    }
  }
  assert.equal(new Set(m.charts.map((c) => c.id)).size, m.charts.length, 'chart ids are unique');
});

test('QPS as a fraction of the floor with the same parameters', () => {
  const m = model();
  const ratio = (map: string, threads: number, lf: number) => m.rows.find((r) => r.map === map && r.threads === threads && r.loadFactor === lf)?.floorRatio;
  for (const threads of [1, 2]) {
    for (const lf of [0.5, 0.9]) {
      assert.equal(ratio('lockfree', threads, lf), 0.5);
      assert.equal(ratio('sharded', threads, lf), 0.25);
      assert.equal(ratio(SCRIPT_MAP, threads, lf), 0.125);
      assert.equal(ratio('floor', threads, lf), null, 'the floor is not compared with itself');
    }
  }
  const chart = m.charts.find((c) => c.section === 'floor-ratio')!;
  const series = chart.option.series as Array<{ name: string; data: number[][] }>;
  assert.deepEqual(series.find((s) => s.name === 'lockfree')!.data, [[1, 0.5], [2, 0.5]]);
});

test('latency curves use 1/(1-p) on x and leave out p100', () => {
  const c = model().charts.find((x) => x.section === 'latency')!;
  const data = (c.option.series as Array<{ data: number[][] }>)[0]!.data;
  assert.deepEqual(data[0]!.slice(0, 1), [1], 'p0 sits at x = 1');
  assert.deepEqual(data[1]![0], 2, 'p50 sits at x = 2');
  assert.ok(data.every((d) => Number.isFinite(d[0]) && d[2]! < 100));
  assert.equal(data.length, 17);
});

test('failed cells appear in the table with their error; no file is left out', () => {
  const m = model();
  assert.equal(m.rows.length, 17);
  const failed = m.rows.filter((r) => r.status === 'failed');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.note, /prefill failed/);
});

test('unreliable cells are drawn, marked in the table with their reason, and noted', () => {
  const doc = resultFile([
    { map: 'lockfree', threads: 2, loadFactor: 0.5, opsPerSec: 2e6, unreliable: 'threads began measuring <b>9.00 ms</b> apart' },
    { map: 'mutex', threads: 2, loadFactor: 0.5, opsPerSec: 1e6 },
    { map: 'lockfree', threads: 1, loadFactor: 0.5, opsPerSec: 1.5e6 },
    { map: 'mutex', threads: 1, loadFactor: 0.5, opsPerSec: 1e6 },
  ]);
  const m = buildModel(loadedFiles([{ path: 'r.json', doc }]));
  const row = (map: string) => m.rows.find((r) => r.map === map && r.threads === 2)!;
  assert.match(row('lockfree').unreliable, /^throughput repeat 1: threads began measuring/);
  assert.equal(row('mutex').unreliable, '');
  assert.equal(row('lockfree').status, 'ok');
  assert.deepEqual(m.charts.find((c) => c.section === 'qps-threads')!.series, ['lockfree', 'mutex'], 'still drawn');
  assert.ok(m.notes.some((n) => /r\.json has 1 unreliable cell/.test(n)));
  assert.equal(m.files[0]!.cells.unreliable, 1);
  const page = renderPage(m, '');
  assert.match(page, /<tr class="ok unreliable"/);
  assert.match(page, /<tr class="note unreliable"><td colspan="\d+">unreliable: throughput repeat 1: threads began measuring &lt;b&gt;/);
  assert.match(page, /complete \(4 ok of which 1 unreliable, 0 failed, 0 skipped\)/);
  assert.equal((page.match(/class="unreliable-tag"/g) ?? []).length, 1);
});

test('file strings are escaped in the page; data travels as JSON with no "<"', () => {
  const page = renderPage(model(), '/* chart library */');
  assert.ok(!page.includes(SCRIPT_MAP), 'the raw script tag never appears');
  assert.ok(!page.includes('<img'), 'the markup in an error never appears');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the map name is there as text');
  assert.equal(page.match(/<script/g)?.length, 3, 'the data block, the library, the page script');
  const json = /<script type="application\/json" id="mapbench-data">([^]*?)<\/script>/.exec(page)![1]!;
  assert.ok(!json.includes('<'));
  assert.equal(JSON.parse(json).charts.length, model().charts.length);
  // The policy allows exactly the two inline scripts, by hash, and no network.
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)![1]!.replace(/&#39;/g, "'");
  assert.match(csp, /default-src 'none'/);
  const bodies = [...page.matchAll(/<script>([^]*?)<\/script>/g)].map((x) => x[1]!);
  assert.equal(bodies.length, 2);
  for (const b of bodies) assert.ok(csp.includes(`'sha256-${createHash('sha256').update(b).digest('base64')}'`), 'script hash in CSP');
});

test('several files: series and table name their file; clashing base names use the path', () => {
  const two = (rate: number) => [1, 2].map((threads) => ({ map: 'lockfree', threads, loadFactor: 0.5, opsPerSec: rate * threads }));
  const a = resultFile(two(1e6));
  const b = resultFile(two(2e6), { status: 'interrupted' });
  const files = loadedFiles([{ path: 'x/r.json', doc: a }, { path: 'y/r.json', doc: b }]);
  assert.deepEqual(files.map((f) => f.label), ['x/r.json', 'y/r.json']);
  const m = buildModel(files);
  assert.deepEqual(m.charts.find((c) => c.section === 'qps-threads')!.series, ['x/r.json: lockfree', 'y/r.json: lockfree']);
  assert.deepEqual(m.rows.map((r) => r.file), ['x/r.json', 'x/r.json', 'y/r.json', 'y/r.json']);
  assert.ok(m.notes.some((n) => /y\/r\.json is interrupted/.test(n)));
});

test('CLI: writes the HTML and SVG images of the key charts, escaped', () => {
  const inDir = tmp('in');
  const outDir = tmp('out');
  const input = writeJson(inDir, 'fixture.json', mainFixture());
  const out = path.join(outDir, 'report.html');
  const r = report([input, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const svgs = ['qps-threads', 'latency', 'qps-load-factor'].map((s) => svgPath(out, s));
  assert.deepEqual(r.stdout.trim().split('\n').sort(), [...svgs, out].sort());
  assert.deepEqual(fs.readdirSync(outDir).sort(), [...svgs, out].map((p) => path.basename(p)).sort(), 'no temporary files left');
  const html = fs.readFileSync(out, 'utf8');
  assert.ok(html.length > 100_000, 'the chart library is inlined');
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i, 'no external script');
  for (const svg of svgs) {
    const text = fs.readFileSync(svg, 'utf8');
    assert.match(text, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(!text.includes('<script'), `${svg} has no script element`);
    assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${svg} shows the map name as text`);
  }
});

const badInputs: Array<[string, (inDir: string, outDir: string) => string[], RegExp]> = [
  ['missing file', (i) => [path.join(i, 'nope.json')], /cannot read .*nope\.json: no such file/],
  ['unreadable (a directory)', (i) => [i], /cannot read .*: it is a directory/],
  ['corrupt JSON', (i) => [writeJson(i, 'corrupt.json', '{"kind": "mapbench.results", "schema')], /corrupt\.json is truncated: its JSON ends early/],
  ['newer schema version', (i) => [writeJson(i, 'v99.json', { ...mainFixture(), schemaVersion: 99 })], /has schema version 99, newer than this mapbench \(reads 1, 2, 3\)/],
  ['not a mapbench file', (i) => [writeJson(i, 'package.json', { name: 'x', version: '1.0.0' })], /is not a mapbench result file/],
  ['schema mismatch', (i) => {
    const doc = JSON.parse(JSON.stringify(mainFixture())) as ResultFile;
    delete (doc.cells[0]!.params as Partial<ResultFile['cells'][0]['params']>).map;
    return [writeJson(i, 'broken.json', doc)];
  }, /does not match the results schema at cells\.0\.params\.map/],
  ['one good file and one bad', (i) => [writeJson(i, 'good.json', mainFixture()), path.join(i, 'nope.json')], /no such file/],
  ['unwritable --out', (i) => [writeJson(i, 'good.json', mainFixture()), '--out', '/proc/nope/report.html'], /--out/],
  ['--out is a directory', (i, o) => [writeJson(i, 'good.json', mainFixture()), '--out', o], /--out .* is a directory/],
  ['no files', () => [], /missing required argument 'files'/],
  ['unknown flag', (i) => [writeJson(i, 'good.json', mainFixture()), '--bogus'], /unknown option '--bogus'/],
];

for (const [name, args, message] of badInputs) {
  test(`CLI bad input (${name}): one line on stderr, exit 2, nothing written`, () => {
    const inDir = tmp('in');
    const outDir = tmp('out');
    const a = args(inDir, outDir);
    const r = report(a.includes('--out') ? a : [...a, '--out', path.join(outDir, 'report.html')]);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^mapbench report: error: /);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '');
    assert.deepEqual(fs.readdirSync(outDir), []);
  });
}

test('in Chromium: charts render with their series, labels stay text, no errors, fits the width', {
  skip: skipWithoutChromium,
  timeout: 120_000,
}, async (t) => {
  const dir = tmp('browser');
  const input = writeJson(dir, 'fixture.json', mainFixture());
  const out = path.join(dir, 'report.html');
  buildReport([input], out);

  const userDataDir = tmp('chromium-profile');
  const context = await launchChromium(userDataDir);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));

    const url = pathToFileURL(out).href;
    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.chartsRendered !== undefined, undefined, { timeout: 30_000 });

    const seen = await page.evaluate(() => {
      type Chart = { getOption(): { series: Array<{ name: string }> } };
      const ec = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): Chart | undefined } }).echarts;
      return [...document.querySelectorAll('.chart')].map((el) => {
        const canvas = el.querySelector('canvas, svg');
        const box = canvas?.getBoundingClientRect();
        return {
          section: el.closest('section')?.id ?? '',
          rendered: !!box && box.width > 100 && box.height > 100,
          series: ec.getInstanceByDom(el)?.getOption().series.map((s) => s.name) ?? null,
        };
      });
    });
    const expectedTotal = Object.values(MAIN_FIXTURE_CHARTS).reduce((n, s) => n + s.charts, 0);
    assert.equal(seen.length, expectedTotal, 'chart containers');
    assert.equal(seen.filter((s) => s.rendered).length, expectedTotal, 'charts with a drawn canvas');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.chartsRendered), String(expectedTotal));
    for (const [section, expected] of Object.entries(MAIN_FIXTURE_CHARTS)) {
      const inSection = seen.filter((s) => s.section === section);
      assert.equal(inSection.length, expected.charts, section);
      for (const s of inSection) assert.deepEqual(s.series, expected.series, section);
    }

    // Every tooltip shown once, on the script-named series where the chart has it.
    await page.evaluate((name) => {
      type Chart = { getOption(): { series: Array<{ name: string }> }; dispatchAction(a: object): void };
      const ec = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): Chart } }).echarts;
      for (const el of document.querySelectorAll('.chart')) {
        const c = ec.getInstanceByDom(el);
        const i = Math.max(0, c.getOption().series.findIndex((s) => s.name === name));
        c.dispatchAction({ type: 'showTip', seriesIndex: i, dataIndex: 0 });
      }
    }, SCRIPT_MAP);
    await page.waitForTimeout(200);

    const dom = await page.evaluate((name) => ({
      scripts: document.scripts.length,
      images: document.querySelectorAll('img').length,
      cellAsText: [...document.querySelectorAll('td')].some((td) => td.textContent === name),
      tooltipAsText: [...document.querySelectorAll('.chart div')].some((d) => d.children.length > 0 && (d.textContent ?? '').includes(name)),
      errorAsText: document.body.textContent?.includes('prefill failed: <img src=x onerror=alert(2)>') ?? false,
      warningAsText: document.body.textContent?.includes('<b>bold?</b>') ?? false,
    }), SCRIPT_MAP);
    assert.deepEqual(dom, { scripts: 3, images: 0, cellAsText: true, tooltipAsText: true, errorAsText: true, warningAsText: true });

    // Readable without scrolling sideways, wide and narrow.
    for (const width of [1280, 760, 420]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(150);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `no sideways scroll at ${width}px (${scrollWidth} > ${clientWidth})`);
    }

    await page.evaluate(() => {
      const ec = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): { dispatchAction(a: object): void } } }).echarts;
      for (const el of document.querySelectorAll('.chart')) ec.getInstanceByDom(el).dispatchAction({ type: 'hideTip' });
    });

    // A full-length screenshot: the viewport is made as tall as the page (charts redraw on resize).
    await page.setViewportSize({ width: 1280, height: 900 });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height });
    await page.waitForTimeout(300);
    const shot = path.join(os.tmpdir(), `mapbench-report-${process.pid}.png`);
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);

    assert.deepEqual(dialogs, [], 'no dialog fired');
    assert.deepEqual(pageErrors, [], 'no page errors');
    assert.deepEqual(consoleErrors, [], 'no console errors or warnings');
    assert.deepEqual(requests.filter((r) => r !== url), [], 'no request beyond the file itself');
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
});
