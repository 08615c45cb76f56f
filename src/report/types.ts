// types.ts — what the report's model (model.ts) and its scenario sections
// (scenarios.ts) share, so neither imports the other's types: the loaded
// files, the fixed sections, and a chart's spec.
import type { EChartsOption } from 'echarts';

import type { ResultFile } from '../schema.js';

/** The section id of every scenario chart (they sit in their scenario's section). */
export const SCENARIO_SECTION = 'scenario';

export interface LoadedFile {
  /** What the user typed. */
  path: string;
  /** Short unique name shown in the page (the base name, or the path when base names clash). */
  label: string;
  doc: ResultFile;
}

export const SECTIONS = [
  { id: 'qps-threads', title: 'Throughput vs threads', blurb: 'Median over repeats; the tooltip gives min–max, spread and the fraction of the floor.' },
  { id: 'floor-ratio', title: 'Throughput as a fraction of the floor', blurb: 'Each map’s median QPS divided by the floor cell with the same threads, load factor, keys, mix, distribution and CPUs: how close the map comes to one random memory access per op.' },
  { id: 'latency', title: 'Latency percentiles', blurb: 'Sampled per-op latency over all op kinds, merged over the latency repeats. The x axis is 1/(1−p) on a log scale (HdrHistogram style); the maximum (p100) is in the table. Latency includes the timer bracket (see the environment).' },
  { id: 'qps-lf', title: 'Throughput vs load factor', blurb: 'Median QPS at each load factor after prefill.' },
  { id: 'p99-lf', title: 'p99 latency vs load factor', blurb: 'Overall p99 from the latency pass at each load factor.' },
  { id: 'alloc', title: 'Allocations per op', blurb: 'Heap allocations per operation, from the counting allocator.' },
  { id: 'shards', title: 'Per-shard load', blurb: 'Ops per shard from the statistics pass (warm-up included); the line marks the mean.' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

export interface ChartSpec {
  /** DOM id of the chart's container. */
  id: string;
  /** Also picks the formatters decorateOption adds. Scenario charts sit in their scenario's section instead. */
  section: SectionId | typeof SCENARIO_SECTION;
  title: string;
  /** Series names, in order (the test and the legend read the same list). */
  series: string[];
  option: EChartsOption;
  /** Scenario charts: the chart's own id, which names its SVG image. */
  svg?: string;
  /** The machine and command line that produced the chart's data, one line per file drawn. */
  source?: string[];
}

