// histogram.h — a log-linear latency histogram in the manner of
// HdrHistogram: values below 256 have a bucket each; above, every power of
// two [2^e, 2^(e+1)) is split into 128 equal buckets. A bucket's width is
// then at most 1/128 of its lower bound, and reporting the bucket midpoint
// bounds the relative error by 1/256 (< 0.4%, inside the 1% budget).
//
//   index(v) = v                                   for v < 256
//            = (e - 7) * 128 + (v >> (e - 7))      for v >= 256, e = floor(log2 v)
//
// Values are clamped to 2^kMaxExponent - 1 (about 1.1e12 ticks, ~9 minutes
// at 2 GHz). Recording is one shift, one add and one increment into a fixed
// array: no allocation, no branch on the value's size beyond the clamp.
// Not thread-safe: each thread records into its own histogram, and the
// owner merges them after the threads have stopped.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace mapbench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;                     // 128 buckets per power of two
  static constexpr int kLinearLimitBits = kSubBits + 1;  // values < 256 are exact
  static constexpr int kMaxExponent = 40;
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxExponent) - 1;
  // Highest index: e = 39 → (39 - 7) * 128 + 255 = 4351.
  static constexpr std::size_t kBuckets = (kMaxExponent - 1 - kSubBits) * (1u << kSubBits) + (1u << kLinearLimitBits);

  static std::size_t index_of(std::uint64_t v) {
    if (v > kMaxValue) v = kMaxValue;
    if (v < (std::uint64_t{1} << kLinearLimitBits)) return static_cast<std::size_t>(v);
    int e = 63 - __builtin_clzll(v);
    int shift = e - kSubBits;
    return static_cast<std::size_t>(shift) * (1u << kSubBits) + static_cast<std::size_t>(v >> shift);
  }
  // [lowest, highest] value that lands in bucket i.
  static std::uint64_t lowest_in(std::size_t i) {
    if (i < (1u << kLinearLimitBits)) return i;
    std::size_t shift = i / (1u << kSubBits) - 1;
    std::uint64_t sub = i - shift * (1u << kSubBits);
    return sub << shift;
  }
  static std::uint64_t highest_in(std::size_t i) {
    if (i < (1u << kLinearLimitBits)) return i;
    std::size_t shift = i / (1u << kSubBits) - 1;
    return lowest_in(i) + (std::uint64_t{1} << shift) - 1;
  }
  static double midpoint(std::size_t i) {
    return (static_cast<double>(lowest_in(i)) + static_cast<double>(highest_in(i))) / 2.0;
  }

  void record(std::uint64_t v) {
    counts_[index_of(v)] += 1;
    total_ += 1;
    sum_ += v;
    if (v > max_) max_ = v;
    if (v < min_) min_ = v;
  }
  void record_count(std::size_t index, std::uint64_t n) {
    counts_[index] += n;
    total_ += n;
    sum_ += static_cast<std::uint64_t>(midpoint(index)) * n;
    max_ = std::max(max_, highest_in(index));
    min_ = std::min(min_, lowest_in(index));
  }
  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
    min_ = std::min(min_, o.min_);
  }
  void reset() { *this = Histogram(); }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return total_ ? max_ : 0; }
  std::uint64_t min() const { return total_ ? min_ : 0; }
  double mean() const { return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0.0; }

  // Value at percentile p in [0, 100]: the midpoint of the bucket holding
  // the ceil(p/100 * count)-th smallest value (p = 100 gives the exact max).
  double percentile(double p) const {
    if (total_ == 0) return 0;
    if (p >= 100) return static_cast<double>(max_);
    auto rank = static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(total_) + 0.999999999);
    if (rank < 1) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpoint(i), static_cast<double>(max_));
    }
    return static_cast<double>(max_);
  }

  // Non-empty buckets as (index, count) pairs, for transport and storage.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> sparse() const {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    for (std::size_t i = 0; i < kBuckets; ++i)
      if (counts_[i]) out.emplace_back(static_cast<std::uint32_t>(i), counts_[i]);
    return out;
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = ~std::uint64_t{0};
};

}  // namespace mapbench
