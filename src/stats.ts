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

/** A confidence interval of a median, with the coverage it actually has. */
export interface MedianInterval {
  lo: number;
  hi: number;
  /** Probability that [lo, hi] holds the true median: 1 − 2·P(Bin(n, ½) < k). */
  coverage: number;
  /** The larger distance from the median to either end, in percent of the median. */
  halfWidthPct: number;
}

/** The confidence level of every median interval mapbench reports. */
export const MEDIAN_CI_LEVEL = 0.95;

/**
 * Distribution-free confidence interval of the median from order statistics:
 * for sorted x(1..n), [x(k), x(n+1−k)] holds the true median with probability
 * 1 − 2·P(Bin(n, ½) ≤ k−1), whatever the distribution of the repeats (they
 * need only be independent draws of one distribution). The narrowest such
 * interval (largest k) with coverage ≥ level is returned; null when even
 * [min, max] falls short, which at 95% means fewer than 6 values.
 */
export function medianInterval(values: number[], level = MEDIAN_CI_LEVEL): MedianInterval | null {
  const n = values.length;
  if (n === 0) return null;
  const xs = [...values].sort((a, b) => a - b);
  // cdf[j] = P(Bin(n, ½) ≤ j), built from the pmf C(n, j) / 2^n.
  let pmf = 2 ** -n;
  let cdf = 0;
  let best: { k: number; coverage: number } | null = null;
  for (let k = 1; 2 * k <= n + 1; k++) {
    cdf += pmf; // now P(Bin ≤ k−1)
    pmf = (pmf * (n - (k - 1))) / k; // now pmf(k)
    const coverage = 1 - 2 * cdf;
    if (coverage < level) break;
    best = { k, coverage };
  }
  if (best === null) return null;
  const lo = xs[best.k - 1]!;
  const hi = xs[n - best.k]!;
  const med = median(xs);
  const halfWidthPct = med === 0 ? 0 : (Math.max(hi - med, med - lo) / med) * 100;
  return { lo, hi, coverage: best.coverage, halfWidthPct };
}
