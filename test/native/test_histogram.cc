// test_histogram.cc — mapbench::Histogram: percentiles against the exact
// percentiles of known samples (uniform, exponential, bimodal, heavy-tailed)
// within 1% relative error; the bucket arithmetic (index_of / lowest_in /
// highest_in) round-trips for every bucket; merge, record_count, clamp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "runtime/histogram.h"

using mapbench::Histogram;

namespace {

const double kPercentiles[] = {0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};

// Nearest-rank percentile: the ceil(p/100 * n)-th smallest (at least the 1st).
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
  const double r = std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-9);
  std::size_t rank = r < 1 ? 1 : static_cast<std::size_t>(r);
  if (rank > sorted.size()) rank = sorted.size();
  return sorted[rank - 1];
}

void check_against_exact(std::vector<std::uint64_t> samples, const std::string& name) {
  Histogram h;
  long double sum = 0;
  for (auto v : samples) {
    h.record(v);
    sum += static_cast<long double>(v);
  }
  std::sort(samples.begin(), samples.end());
  CHECK_EQ(h.count(), samples.size(), name);
  CHECK_EQ(h.min(), samples.front(), name);
  CHECK_EQ(h.max(), samples.back(), name);
  CHECK_NEAR(h.mean(), static_cast<double>(sum / samples.size()), 1e-6 * h.mean(), name);
  double worst = 0;
  for (double p : kPercentiles) {
    const double exact = static_cast<double>(exact_percentile(samples, p));
    const double got = h.percentile(p);
    if (exact == 0) {
      CHECK_EQ(got, 0.0, name, " p", p);
      continue;
    }
    const double rel = std::fabs(got - exact) / exact;
    worst = std::max(worst, rel);
    CHECK_LE(rel, 0.01, name, ": p", p, " histogram ", got, " exact ", exact);
  }
  CHECK_EQ(h.percentile(100), static_cast<double>(samples.back()), name, ": p100 is the exact max");
  std::printf("      %-12s n=%zu p50=%.1f p99=%.1f max=%llu worst relative error %.5f\n", name.c_str(), samples.size(),
              h.percentile(50), h.percentile(99), static_cast<unsigned long long>(h.max()), worst);
}

std::vector<std::uint64_t> sample(int n, const std::function<double(std::mt19937_64&)>& draw) {
  std::mt19937_64 rng(20240601);
  std::vector<std::uint64_t> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    const double x = draw(rng);
    out.push_back(x <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(x)));
  }
  return out;
}

void percentiles_of_known_samples() {
  std::uniform_real_distribution<double> uni(1, 1e6);
  check_against_exact(sample(200000, [&](auto& r) { return uni(r); }), "uniform");
  std::uniform_real_distribution<double> small(0, 300);
  check_against_exact(sample(100000, [&](auto& r) { return small(r); }), "uniform<300");
  std::exponential_distribution<double> ex(1.0 / 2000);
  check_against_exact(sample(200000, [&](auto& r) { return ex(r); }), "exponential");
  std::normal_distribution<double> fast(300, 30), slow(1e6, 1e5);
  std::bernoulli_distribution which(0.7);
  check_against_exact(sample(200000, [&](auto& r) { return which(r) ? fast(r) : slow(r); }), "bimodal");
  std::lognormal_distribution<double> tail(8, 2);
  check_against_exact(sample(200000, [&](auto& r) { return std::min(tail(r), 1e11); }), "lognormal");
}

void bucket_round_trip() {
  CHECK_EQ(Histogram::lowest_in(0), 0u);
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    const std::uint64_t lo = Histogram::lowest_in(i), hi = Histogram::highest_in(i);
    CHECK_LE(lo, hi, "bucket ", i);
    CHECK_EQ(Histogram::index_of(lo), i, "lowest value of bucket ", i);
    CHECK_EQ(Histogram::index_of(hi), i, "highest value of bucket ", i);
    if (i > 0) CHECK_EQ(lo, Histogram::highest_in(i - 1) + 1, "buckets are contiguous at ", i);
    if (i < 256) {
      CHECK_EQ(lo, i, "values below 256 are exact");
      CHECK_EQ(hi, i);
    } else {
      // Width at most lo/128, so the midpoint is within 1/256 of any value.
      CHECK_LE((hi - lo + 1) * 128, lo, "bucket ", i, " too wide");
      CHECK_LE((Histogram::midpoint(i) - static_cast<double>(lo)) / static_cast<double>(lo), 1.0 / 256, "bucket ", i);
    }
  }
  CHECK_EQ(Histogram::highest_in(Histogram::kBuckets - 1), Histogram::kMaxValue);
  CHECK_EQ(Histogram::index_of(Histogram::kMaxValue + 1), Histogram::kBuckets - 1, "clamped");
  CHECK_EQ(Histogram::index_of(~std::uint64_t{0}), Histogram::kBuckets - 1, "clamped");
  // Random values land in the bucket whose range holds them.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const std::size_t b = Histogram::index_of(v);
    CHECK_LT(b, Histogram::kBuckets);
    if (v <= Histogram::kMaxValue) {
      CHECK_LE(Histogram::lowest_in(b), v);
      CHECK_GE(Histogram::highest_in(b), v);
    }
  }
}

void merge_and_record_count() {
  std::mt19937_64 rng(9);
  std::exponential_distribution<double> ex(1.0 / 5000);
  Histogram a, b, all;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(ex(rng)) + (i % 2 ? 100000 : 0);
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  Histogram m = a;
  m.merge(b);
  CHECK_EQ(m.count(), all.count());
  CHECK_EQ(m.min(), all.min());
  CHECK_EQ(m.max(), all.max());
  CHECK_EQ(m.mean(), all.mean());
  CHECK(m.sparse() == all.sparse(), "merged buckets equal the buckets of all samples");
  for (double p : kPercentiles) CHECK_EQ(m.percentile(p), all.percentile(p), "p", p);

  // Merging an empty histogram changes nothing; merging into one copies.
  Histogram empty;
  CHECK_EQ(empty.count(), 0u);
  CHECK_EQ(empty.min(), 0u);
  CHECK_EQ(empty.max(), 0u);
  CHECK_EQ(empty.mean(), 0.0);
  CHECK_EQ(empty.percentile(50), 0.0);
  CHECK(empty.sparse().empty());
  Histogram m2 = all;
  m2.merge(empty);
  CHECK(m2.sparse() == all.sparse());
  CHECK_EQ(m2.min(), all.min());
  Histogram m3;
  m3.merge(all);
  CHECK(m3.sparse() == all.sparse());
  CHECK_EQ(m3.min(), all.min());
  CHECK_EQ(m3.max(), all.max());

  // record_count rebuilds a histogram from its sparse form.
  Histogram rebuilt;
  for (auto [i, n] : all.sparse()) rebuilt.record_count(i, n);
  CHECK(rebuilt.sparse() == all.sparse());
  CHECK_EQ(rebuilt.count(), all.count());
  for (double p : {1.0, 50.0, 90.0, 99.0}) CHECK_EQ(rebuilt.percentile(p), all.percentile(p), "p", p);
  CHECK_NEAR(rebuilt.mean(), all.mean(), all.mean() / 256);

  all.reset();
  CHECK_EQ(all.count(), 0u);
  CHECK(all.sparse().empty());

  // One sample; a clamped sample.
  Histogram one;
  one.record(12345);
  CHECK_NEAR(one.percentile(50), 12345.0, 12345.0 / 256);
  CHECK_EQ(one.percentile(100), 12345.0);
  Histogram huge;
  huge.record(~std::uint64_t{0});
  CHECK_EQ(huge.sparse().size(), 1u);
  CHECK_EQ(huge.sparse()[0].first, Histogram::kBuckets - 1);
}

}  // namespace

int main() {
  mbtest::Suite suite("test_histogram");
  std::printf("%zu buckets, values up to %llu\n", Histogram::kBuckets,
              static_cast<unsigned long long>(Histogram::kMaxValue));
  suite.run("percentiles within 1% of exact (uniform, exponential, bimodal, lognormal)", percentiles_of_known_samples);
  suite.run("index_of / lowest_in / highest_in round trip for every bucket", bucket_round_trip);
  suite.run("merge, record_count, reset, empty and clamped histograms", merge_and_record_count);
  return suite.finish();
}
