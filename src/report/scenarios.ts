// Scenario sections: a result file written by `npm run bench -- --scenario
// NAME` is read back by that scenario's own code (src/scenario.ts) — its
// findings, charts and tables — and shown as one section of the report. The
// report knows nothing of any one scenario: charts arrive as plain data
// (ScenarioChart) and become ECharts options here, like every other chart.
import type { EChartsOption, SeriesOption } from 'echarts';

import { findScenario } from '../scenarios/index.js';
import type { Scenario, ScenarioChart, ScenarioTable } from '../scenarios/scenario.js';
import { type ChartSpec, type LoadedFile, SCENARIO_SECTION } from './types.js';

/** The `section` of every scenario chart: it picks the generic tooltip in decorateOption. */
export { SCENARIO_SECTION };

export interface ScenarioSection {
  /** DOM id of the section. */
  id: string;
  /** Label of the file it reads. */
  file: string;
  /** The name the file gives (`scenario` in the result file). */
  scenario: string;
  /** The scenario's title, or the bare name when the scenario is unknown. */
  title: string;
  /** What the seed articles claim; '' when unknown. */
  claim: string;
  /** Finding sentences, as the scenario wrote them. */
  findings: string[];
  tables: ScenarioTable[];
  /** Ids of this section's charts in the model's chart list, in the scenario's order. */
  charts: string[];
  /** Set instead of the contents when the scenario cannot be read: unknown, or its code failed on this file. */
  note: string | null;
}

export type FindScenario = (name: string) => Scenario | undefined;

/** A y axis's name sits above the axis, starting at it, as in the other charts. */
const Y_NAME = { nameGap: 12, nameTextStyle: { align: 'left' as const } };

/**
 * One scenario chart as a plain-data ECharts option. A null y is a gap (the
 * line breaks there, or the bar is missing); so is a value a log axis cannot
 * place (zero or below), rather than an error from the chart library.
 */
export function scenarioOption(chart: ScenarioChart, subtitle: string): EChartsOption {
  const names = chart.series.map((s) => s.name);
  const xLog = chart.xType === 'log';
  const yOf = (y: number | null) => (y === null || !Number.isFinite(y) || (chart.yLog && y <= 0) ? null : y);
  const style = chart.kind === 'line' ? { symbol: 'circle', symbolSize: 6 } : {};

  let xAxis: Record<string, unknown>;
  let series: SeriesOption[];
  if (chart.xType === 'category') {
    // Categories in first-seen order over all series; each series gives a value (or a gap) per category.
    const cats = [...new Set(chart.series.flatMap((s) => s.points.map(([x]) => String(x))))];
    xAxis = { type: 'category', data: cats, axisLabel: { interval: 0, hideOverlap: true } };
    series = chart.series.map((s) => {
      const byCat = new Map(s.points.map(([x, y]) => [String(x), yOf(y)]));
      return { name: s.name, type: chart.kind, data: cats.map((c) => byCat.get(c) ?? null), ...style } as SeriesOption;
    });
  } else {
    xAxis = { type: chart.xType, scale: true, ...(xLog ? { logBase: 10 } : {}) };
    series = chart.series.map((s) => {
      const data = s.points
        .filter(([x]) => typeof x === 'number' && Number.isFinite(x) && !(xLog && x <= 0))
        .map(([x, y]) => [x as number, yOf(y)]);
      return { name: s.name, type: chart.kind, data, encode: { x: 0, y: 1 }, ...style } as SeriesOption;
    });
  }

  // With no point at all the x axis has no labels, which would leave its name on top of the legend.
  const empty = chart.series.every((x) => x.points.every(([, y]) => yOf(y) === null));
  return {
    // As the other charts: no animation, so a resize or a screenshot always shows the final chart.
    animation: false,
    title: { text: chart.title, subtext: subtitle, left: 'center', textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 12, lineHeight: 16 } },
    legend: { type: 'scroll', bottom: 0, data: names },
    grid: { left: 16, right: 40, top: 72, bottom: empty ? 68 : 48, containLabel: true },
    tooltip: { trigger: 'item', confine: true },
    xAxis: { ...xAxis, name: chart.xLabel, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: chart.yLog ? 'log' : 'value', name: chart.yLabel, ...Y_NAME },
    series,
  };
}

/** The first line of an error, for a note. */
function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/**
 * The scenario sections of the files that name a scenario, in input order.
 * `chartId` hands out the DOM id of each new chart (unique across the
 * report); the charts come back for the model's one chart list.
 */
export function scenarioSections(
  files: LoadedFile[],
  chartId: () => string,
  find: FindScenario = findScenario,
): { sections: ScenarioSection[]; charts: ChartSpec[] } {
  const sections: ScenarioSection[] = [];
  const charts: ChartSpec[] = [];
  for (const file of files) {
    const name = file.doc.scenario;
    if (name === undefined) continue;
    const base = { id: `scenario-${sections.length + 1}`, file: file.label, scenario: name, findings: [], tables: [], charts: [] };
    const s = find(name);
    if (!s) {
      sections.push({ ...base, title: name, claim: '', note: `${file.label} names scenario "${name}", which this mapbench does not know: its findings and charts cannot be shown.` });
      continue;
    }
    // The scenario's code reads the file; should it fail on one (an interrupted run, say), that
    // file's section says so and the rest of the report still renders.
    let read: { findings: string[]; charts: ScenarioChart[]; tables: ScenarioTable[] };
    try {
      read = { findings: s.findings(file.doc).map((f) => f.text), charts: s.charts(file.doc), tables: s.tables?.(file.doc) ?? [] };
    } catch (e) {
      sections.push({ ...base, title: s.title, claim: s.claim, note: `scenario ${name} could not read ${file.label}: ${messageOf(e)}` });
      continue;
    }
    const ids: string[] = [];
    for (const c of read.charts) {
      const id = chartId();
      ids.push(id);
      charts.push({
        id,
        section: SCENARIO_SECTION,
        title: c.title,
        series: c.series.map((x) => x.name),
        svg: c.id,
        option: scenarioOption(c, `${name} · ${file.label}`),
      });
    }
    sections.push({ ...base, title: s.title, claim: s.claim, findings: read.findings, tables: read.tables, charts: ids, note: null });
  }
  return { sections, charts };
}
