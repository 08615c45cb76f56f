// The report opens with the console's summary; charts that would draw one x
// value are left out with a note; every chart names the machine and command
// behind its data. Checked in the model and in a real headless Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { buildReport } from '../../src/report/index.js';
import { buildModel, loadedFiles } from '../../src/report/model.js';
import type { ResultFile } from '../../src/schema.js';
import { renderSummary } from '../../src/summary.js';
import { launchChromium, skipWithoutChromium } from './fixtures/report/browser.js';
import { resultFile } from './fixtures/report/result-file.js';

const tmp = (what: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mapbench-report-summary-${what}-`));

/** Two maps and the floor at 1 and 2 threads, all at one load factor. */
function oneLoadFactor(): ResultFile {
  const doc = resultFile([
    { map: 'mutex', threads: 1, loadFactor: 0.5, opsPerSec: 20e6 },
    { map: 'mutex', threads: 2, loadFactor: 0.5, opsPerSec: 12e6 },
    { map: 'lockfree', threads: 1, loadFactor: 0.5, opsPerSec: 40e6 },
    { map: 'lockfree', threads: 2, loadFactor: 0.5, opsPerSec: 75e6 },
    { map: 'floor', design: 'floor', threads: 1, loadFactor: 0.5, opsPerSec: 200e6 },
    { map: 'floor', design: 'floor', threads: 2, loadFactor: 0.5, opsPerSec: 400e6 },
  ]);
  doc.environment.cpuModel = 'Summary CPU @ 2.5GHz';
  doc.environment.commandLine = ['mapbench', '--maps', 'mutex,lockfree,floor', '--threads', '1,2'];
  doc.warnings = [
    { code: 'highVariance', message: 'throughput spread across repeats is 12.0% (> 5%)', advice: 'quiet the machine', cellKey: doc.cells[0]!.key, severity: 12 },
    { code: 'highVariance', message: 'throughput spread across repeats is 30.0% (> 5%)', advice: 'quiet the machine', cellKey: doc.cells[3]!.key, severity: 30 },
  ];
  return doc;
}

test('the model: the summary is the console\'s, the one-value load-factor charts are left out with a note, charts carry their source', () => {
  const doc = oneLoadFactor();
  const m = buildModel(loadedFiles([{ path: 'one.json', doc }]));
  assert.equal(m.summaries[0]!.pivot, renderSummary(doc));
  assert.match(m.summaries[0]!.warnings, /highVariance ×2: worst lockfree 2T: throughput spread across repeats is 30\.0%/);
  assert.deepEqual(m.charts.filter((c) => c.section === 'qps-lf' || c.section === 'p99-lf'), []);
  assert.deepEqual(m.leftOut, ['Throughput and p99 vs load factor left out: every cell ran at load factor 0.5 (see the summary and the table)']);
  assert.ok(m.charts.some((c) => c.section === 'qps-threads'), 'two thread counts: drawn');
  for (const c of m.charts) {
    assert.deepEqual(c.source, ['Summary CPU @ 2.5GHz, 2 cores (fixture-host) · mapbench --maps mutex,lockfree,floor --threads 1,2'], c.title);
    assert.match((c.option.title as { subtext: string }).subtext, /\nSummary CPU @ 2\.5GHz, 2 cores/);
  }
});

test('in Chromium: the page opens with the summary, the winners and the grouped warnings; chart captions name machine and command', {
  skip: skipWithoutChromium,
  timeout: 120_000,
}, async () => {
  const dir = tmp('browser');
  const input = path.join(dir, 'one.json');
  fs.writeFileSync(input, JSON.stringify(oneLoadFactor()));
  const out = path.join(dir, 'report.html');
  buildReport([input], out);
  const context = await launchChromium(tmp('profile'));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(out).href);
    await page.waitForFunction(() => document.documentElement.dataset.chartsRendered !== undefined, undefined, { timeout: 30_000 });
    const seen = await page.evaluate(() => {
      const sections = [...document.querySelectorAll('main > section')].map((s) => s.id);
      const summary = document.querySelector('#summary pre.summary')?.textContent ?? '';
      const warnings = document.querySelector('#summary pre.summary-warnings')?.textContent ?? '';
      const leftOut = [...document.querySelectorAll('#summary .left-out li')].map((li) => li.textContent);
      const captions = [...document.querySelectorAll('.chart-figure')].map((f) => ({
        chart: !!f.querySelector('.chart canvas, .chart svg'),
        source: f.querySelector('figcaption')?.textContent ?? '',
      }));
      const summaryBox = document.querySelector('#summary')!.getBoundingClientRect();
      const chartTop = document.querySelector('.chart')!.getBoundingClientRect().top;
      return { sections, summary, warnings, leftOut, captions, summaryAbove: summaryBox.bottom <= chartTop, scrollsSideways: document.documentElement.scrollWidth > window.innerWidth };
    });
    assert.equal(seen.sections[0], 'summary', 'the summary comes first');
    assert.ok(seen.summaryAbove);
    assert.match(seen.summary, /^map\s+1T\s+2T$/m);
    assert.match(seen.summary, /^lockfree\s+\*40\.0 /m);
    assert.match(seen.summary, /^winner 2T: lockfree, 6\.25× mutex$/m);
    assert.match(seen.warnings, /^  highVariance ×2: worst lockfree 2T/m);
    assert.deepEqual(seen.leftOut, ['Throughput and p99 vs load factor left out: every cell ran at load factor 0.5 (see the summary and the table)']);
    assert.ok(seen.captions.length > 0);
    for (const c of seen.captions) {
      assert.ok(c.chart, 'the chart is drawn');
      assert.equal(c.source, 'Summary CPU @ 2.5GHz, 2 cores (fixture-host) · mapbench --maps mutex,lockfree,floor --threads 1,2');
    }
    assert.equal(seen.scrollsSideways, false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
