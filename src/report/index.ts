// `npm run report`: result files in, one self-contained HTML page and SVG
// images of the key charts out. Everything is read and checked before
// anything is written; the outputs are then written atomically.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import * as echarts from 'echarts';

import { checkWritable } from '../config.js';
import { UsageError } from '../errors.js';
import { readResultFile } from '../result-files.js';
import { writeFilesAtomic } from '../results-writer.js';
import { buildModel, type ChartSpec, loadedFiles, type LoadedFile, type ReportModel, type SectionId } from './model.js';
import { renderPage } from './page.js';
import { decorateOption } from './page-script.js';
import { SCENARIO_SECTION } from './scenarios.js';

/** Reads and validates result files; any problem is a UsageError naming the file. */
export function loadResultFiles(paths: string[]): LoadedFile[] {
  return loadedFiles(paths.map((p) => {
    const { name, doc } = readResultFile(p);
    return { path: name, doc };
  }));
}

/** The chart library's browser build, inlined into the page so it needs no network. */
export function chartLibrary(): string {
  // The package's `require` entry is dist/echarts.js; the smaller "common" build (line, bar, legend,
  // tooltip, markers, SVG and canvas renderers) sits beside it and has every chart the report draws.
  const entry = createRequire(import.meta.url).resolve('echarts');
  return fs.readFileSync(path.join(path.dirname(entry), 'echarts.common.min.js'), 'utf8');
}

/**
 * The charts kept as SVG images next to the page: the first chart of each of
 * these sections, and every scenario chart (named by its chart id; see
 * scenarioSvgs).
 */
export const SVG_CHARTS: ReadonlyArray<{ section: SectionId; suffix: string }> = [
  { section: 'qps-threads', suffix: 'qps-threads' },
  { section: 'latency', suffix: 'latency' },
  { section: 'qps-lf', suffix: 'qps-load-factor' },
];

/** Server-side rendering of one chart to an SVG document (no browser needed). */
export function chartSvg(spec: ChartSpec, width = 900, height = 460): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...decorateOption(spec.section, spec.option), animation: false, backgroundColor: '#fff' });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface ReportOutputs {
  html: string;
  /** Output path → SVG text. */
  svgs: Map<string, string>;
}

export function svgPath(out: string, suffix: string): string {
  const stem = out.replace(/\.html?$/i, '');
  return `${stem}-${suffix}.svg`;
}

/**
 * Output path of each scenario chart's SVG: `<out stem>-<chart id>.svg`, so
 * docs can embed a study's figure by a stable name. The id is made safe as a
 * file name; a name already taken (the same scenario in two files, or a
 * key chart's name) gets -2, -3, ... in input order.
 */
export function scenarioSvgs(model: ReportModel, out: string, taken: ReadonlySet<string> = new Set()): Map<string, ChartSpec> {
  const paths = new Map<string, ChartSpec>();
  for (const spec of model.charts) {
    if (spec.section !== SCENARIO_SECTION) continue;
    const stem = (spec.svg ?? spec.id).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || spec.id;
    let p = svgPath(out, stem);
    for (let k = 2; taken.has(p) || paths.has(p); k++) p = svgPath(out, `${stem}-${k}`);
    paths.set(p, spec);
  }
  return paths;
}

export function renderReport(model: ReportModel, out: string): ReportOutputs {
  const svgs = new Map<string, string>();
  for (const { section, suffix } of SVG_CHARTS) {
    const spec = model.charts.find((c) => c.section === section);
    if (spec) svgs.set(svgPath(out, suffix), chartSvg(spec));
  }
  for (const [p, spec] of scenarioSvgs(model, out, new Set(svgs.keys()))) svgs.set(p, chartSvg(spec));
  return { html: renderPage(model, chartLibrary()), svgs };
}

/** The whole command: read, check, model, render, write. Returns the paths written. */
export function buildReport(paths: string[], out: string, now = new Date()): string[] {
  if (paths.length === 0) throw new UsageError('no result files given');
  const files = loadResultFiles(paths);
  checkWritable(out);
  const { html, svgs } = renderReport(buildModel(files, now), out);
  const outputs = new Map([...svgs, [out, html]]);
  writeFilesAtomic(outputs);
  return [...outputs.keys()];
}
