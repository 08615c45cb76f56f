// The Mann–Whitney U test (Wilcoxon rank-sum), two-sided, as benchstat uses
// it to decide whether two sets of benchmark repeats differ.
//
// Why this test: benchmark repeats are not normal (long right tails from
// interrupts, bimodal runs from frequency changes), and a rank test assumes
// nothing about their shape. It asks only "does one sample tend to rank above
// the other?".
//
// Small samples use the exact permutation distribution of the rank sum;
// larger ones the normal approximation with tie and continuity correction.
//
//   ranks      pool both samples, sort, rank 1..N; a run of t equal values
//              all get the mean of their positions (midranks). Twice a
//              midrank is an integer (first + last position), so the exact
//              distribution is counted over integer "doubled" rank sums.
//   exact      count, over all C(N, n1) ways of choosing n1 of the N pooled
//              (doubled) ranks, how many give each rank sum — a subset-sum
//              dynamic programme, O(N · n1 · maxSum). Conditioning on the
//              observed ties makes this exact with ties too (benchstat reaches
//              the same distribution by Klotz's recursion).
//   two-sided  p = min(1, 2 · min(P(S ≤ s), P(S ≥ s))) for observed sum s.
//   normal     U1 = R1 − n1(n1+1)/2, μ = n1·n2/2,
//              σ² = n1·n2/12 · ((N+1) − Σ(t³−t) / (N(N−1))),
//              z = (U1 − μ ∓ ½) / σ, p = 2 · Φ(−|z|).
//
// The smallest two-sided p an exact test can reach (no ties, samples fully
// separated) is 2 / C(n1+n2, n1): 0.1 for 3 vs 3, 0.029 for 4 vs 4. When that
// floor is not below alpha no outcome can be significant; callers say
// "inconclusive" instead of pretending the data showed no difference.

/** Largest sample size (each side) for which the exact distribution is used. */
export const EXACT_LIMIT = 50;

export interface UTestResult {
  /** Sizes of the two samples. */
  n1: number;
  n2: number;
  /** U of the first sample: pairs where it is larger, ties counting ½. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/**
 * Two-sided Mann–Whitney U test of `x` against `y`.
 * Requires: both samples non-empty and finite.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], opts: { exactLimit?: number } = {}): UTestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU: both samples must be non-empty');
  const exactLimit = opts.exactLimit ?? EXACT_LIMIT;

  const pooled = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort((a, b) => a.v - b.v);
  const N = n1 + n2;
  const doubledRanks: number[] = new Array<number>(N);
  const ties: number[] = [];
  let doubledR1 = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && pooled[j + 1]!.v === pooled[i]!.v) j++;
    // 1-based positions i+1 .. j+1; midrank = (i+1 + j+1) / 2.
    const doubled = i + j + 2;
    for (let k = i; k <= j; k++) {
      doubledRanks[k] = doubled;
      if (pooled[k]!.first) doubledR1 += doubled;
    }
    ties.push(j - i + 1);
    i = j + 1;
  }
  const u = doubledR1 / 2 - (n1 * (n1 + 1)) / 2;

  if (n1 <= exactLimit && n2 <= exactLimit) {
    const { counts, total } = rankSumDistribution(doubledRanks, n1);
    let below = 0;
    let above = 0;
    counts.forEach((c, s) => {
      if (s <= doubledR1) below += c;
      if (s >= doubledR1) above += c;
    });
    return { n1, n2, u, p: Math.min(1, (2 * Math.min(below, above)) / total), method: 'exact' };
  }

  const tieTerm = ties.reduce((a, t) => a + t ** 3 - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  if (sigma === 0) return { n1, n2, u, p: 1, method: 'normal' };
  const diff = u - (n1 * n2) / 2;
  const z = (diff - Math.sign(diff) * 0.5) / sigma;
  return { n1, n2, u, p: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: 'normal' };
}

/**
 * The smallest two-sided p-value an exact test of samples of these sizes can
 * produce: both samples fully separated, no ties.
 */
export function minimumP(n1: number, n2: number): number {
  return Math.min(1, 2 / binomial(n1 + n2, n1));
}

/**
 * The fewest repeats a side, the same on both sides, with which the exact
 * test can give p < alpha: the smallest n with 2 / C(2n, n) < alpha (4 for
 * 0.05, 5 for 0.01). C(2n, n) grows like 4^n, so the loop is short.
 * Requires: 0 < alpha.
 */
export function repeatsToReach(alpha: number): number {
  let n = 1;
  while (minimumP(n, n) >= alpha) n++;
  return n;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

const distributionCache = new Map<string, { counts: Map<number, number>; total: number }>();

/**
 * How many n1-element subsets of `doubledRanks` have each sum. The result
 * depends only on n1 and the multiset of ranks (that is, on N and the tie
 * structure), so it is cached on those.
 */
function rankSumDistribution(doubledRanks: readonly number[], n1: number): { counts: Map<number, number>; total: number } {
  const key = `${n1}:${doubledRanks.join(',')}`;
  const cached = distributionCache.get(key);
  if (cached) return cached;
  const maxSum = [...doubledRanks].sort((a, b) => b - a).slice(0, n1).reduce((a, b) => a + b, 0);
  // ways[k][s]: subsets of the ranks seen so far with k elements summing to s.
  const ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  let seen = 0;
  for (const r of doubledRanks) {
    seen++;
    for (let k = Math.min(seen, n1); k >= 1; k--) {
      const from = ways[k - 1]!;
      const to = ways[k]!;
      for (let s = maxSum - r; s >= 0; s--) {
        const c = from[s]!;
        if (c !== 0) to[s + r] = to[s + r]! + c;
      }
    }
  }
  const counts = new Map<number, number>();
  let total = 0;
  ways[n1]!.forEach((c, s) => {
    if (c !== 0) {
      counts.set(s, c);
      total += c;
    }
  });
  const result = { counts, total };
  if (distributionCache.size > 256) distributionCache.clear();
  distributionCache.set(key, result);
  return result;
}

/** Standard normal CDF via erfc (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
