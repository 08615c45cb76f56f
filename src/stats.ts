// Summaries of raw repeats. The raw values are always kept next to these.
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';

import type { Summary } from './schema.js';

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { median: 0, min: 0, max: 0, mean: 0, spreadPct: 0, cvPct: 0, n: 0 };
  const med = median(values);
  const avg = mean(values);
  return {
    median: med,
    min: min(values),
    max: max(values),
    mean: avg,
    spreadPct: med === 0 ? 0 : ((max(values) - min(values)) / med) * 100,
    cvPct: values.length < 2 || avg === 0 ? 0 : (sampleStandardDeviation(values) / avg) * 100,
    n: values.length,
  };
}

/** Max/mean and coefficient of variation of per-shard loads, and the hottest shard's share. */
export function shardSkew(loads: number[]) {
  const total = loads.reduce((a, b) => a + b, 0);
  if (loads.length === 0 || total === 0) return { maxOverMean: 0, cv: 0, hottestShare: 0, hottestShard: 0 };
  const avg = total / loads.length;
  const hottest = loads.indexOf(max(loads));
  const sd = loads.length < 2 ? 0 : Math.sqrt(loads.reduce((a, x) => a + (x - avg) ** 2, 0) / loads.length);
  return { maxOverMean: max(loads) / avg, cv: sd / avg, hottestShare: max(loads) / total, hottestShard: hottest };
}
