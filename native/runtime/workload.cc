#include "runtime/workload.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace mapbench {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double zeta(std::uint64_t n, double theta) {
  static std::mutex mu;  // guards cache
  static std::map<std::pair<std::uint64_t, double>, double> cache;
  {
    std::lock_guard<std::mutex> g(mu);
    auto it = cache.find({n, theta});
    if (it != cache.end()) return it->second;
  }
  double sum = 0;
  for (std::uint64_t i = 1; i <= n; ++i) sum += 1.0 / std::pow(static_cast<double>(i), theta);
  std::lock_guard<std::mutex> g(mu);
  cache[{n, theta}] = sum;
  return sum;
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t thread_seed(std::uint64_t seed, std::uint32_t thread_index, std::uint64_t salt) {
  std::uint64_t x = seed ^ (salt * 0xd6e8feb86659fd93ULL);
  splitmix64(x);
  x ^= std::uint64_t{thread_index} * 0x9e3779b97f4a7c15ULL;
  return splitmix64(x);
}

Zipfian::Zipfian(std::uint64_t n, double theta) : n_(n), theta_(theta) {
  alpha_ = 1.0 / (1.0 - theta_);
  zetan_ = zeta(n_, theta_);
  double zeta2 = 1.0 + std::pow(0.5, theta_);
  half_pow_theta_ = std::pow(0.5, theta_);
  eta_ = n_ <= 2 ? 0.0 : (1.0 - std::pow(2.0 / static_cast<double>(n_), 1.0 - theta_)) / (1.0 - zeta2 / zetan_);
}

std::uint64_t Zipfian::next(Rng& rng) const {
  double u = rng.unit();
  double uz = u * zetan_;
  if (uz < 1.0 || n_ == 1) return 0;
  if (uz < 1.0 + half_pow_theta_ || n_ == 2) return 1;
  auto r = static_cast<std::uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
  return r < n_ ? r : n_ - 1;
}

std::string validate(const WorkloadSpec& spec) {
  std::uint64_t total = 0;
  for (auto w : spec.mix) total += w;
  if (total == 0) return "mix weights must not all be zero";
  if (spec.keys < 1) return "keys must be >= 1";
  if (spec.keys > (std::uint64_t{1} << 40)) return "keys must be <= 2^40";
  if (spec.stream_length == 0 || spec.stream_length % kStreamBatch != 0)
    return "stream length must be a positive multiple of 256";
  if (spec.partition != Partition::kNone) {
    if (spec.threads < 1) return "a partitioned workload needs threads >= 1";
    if (spec.thread_index >= spec.threads) return "thread index must be below threads";
    if (spec.keys < spec.threads) return "a partitioned key space needs at least one key per thread";
  }
  if (spec.partition == Partition::kShard && spec.indexed_keys)
    return "the shard partition follows integer keys' hashes: string keys take partition none or thread";
  if (spec.partition == Partition::kShard) {
    if (spec.shards < 1 || (spec.shards & (spec.shards - 1)) != 0)
      return "shard partition: shards must be a power of two";
    if (spec.shards < spec.threads) return "shard partition: needs at least as many shards as threads";
    // O(keys) at worst; before any clock starts.
    const auto owns_one = [&](std::uint64_t first) {
      for (std::uint64_t i = first; i < first + spec.keys; ++i)
        if (owner_of(spec, i) == spec.thread_index) return true;
      return false;
    };
    const bool misses = spec.mix[static_cast<int>(OpKind::kMiss)] > 0;
    if (!owns_one(0) || (misses && !owns_one(spec.keys)))
      return "shard partition: thread " + std::to_string(spec.thread_index) + " owns no key (use more keys)";
  }
  switch (spec.dist.kind) {
    case DistKind::kZipf:
      if (!(spec.dist.theta > 0 && spec.dist.theta < 1)) return "zipf theta must be in (0, 1)";
      break;
    case DistKind::kHotspot:
      if (!(spec.dist.hot_fraction > 0 && spec.dist.hot_fraction < 1)) return "hotspot fraction must be in (0, 1)";
      if (!(spec.dist.hot_op_fraction >= 0 && spec.dist.hot_op_fraction <= 1))
        return "hotspot op fraction must be in [0, 1]";
      break;
    default:
      break;
  }
  return {};
}

namespace {

std::size_t shard_bits_of(std::uint32_t shards) {
  std::size_t b = 0;
  while ((std::uint64_t{1} << b) < shards) ++b;
  return b;
}

// A thread's indices of one range ([0, keys) or the miss range): either a
// contiguous span (none, thread) or an explicit list (shard). rank r of the
// thread's distribution is index at(r).
struct OwnedRange {
  std::uint64_t base = 0, count = 0;
  std::vector<std::uint64_t> list;  // kShard: the owned indices, ascending
  std::uint64_t at(std::uint64_t rank) const { return list.empty() ? base + rank : list[rank]; }
};

OwnedRange owned_range(const WorkloadSpec& spec, std::uint64_t first) {
  const std::uint64_t n = spec.keys, t = spec.thread_index, threads = spec.threads;
  OwnedRange r;
  switch (spec.partition) {
    case Partition::kNone:
      r.base = first;
      r.count = n;
      break;
    case Partition::kThread:
      r.base = first + t * n / threads;
      r.count = (t + 1) * n / threads - t * n / threads;
      break;
    case Partition::kShard:
      for (std::uint64_t i = first; i < first + n; ++i)
        if (owner_of(spec, i) == t) r.list.push_back(i);
      r.count = r.list.size();
      break;
  }
  return r;
}

}  // namespace

std::uint32_t owner_of(const WorkloadSpec& spec, std::uint64_t index) {
  const std::uint64_t n = spec.keys;
  switch (spec.partition) {
    case Partition::kNone:
      return 0;
    case Partition::kThread: {
      const std::uint64_t i = index >= n ? index - n : index;
      // The t with t*n/T <= i < (t+1)*n/T.
      std::uint64_t t = (i * spec.threads + spec.threads - 1) / n;
      while (t > 0 && t * n / spec.threads > i) --t;
      while ((t + 1) * n / spec.threads <= i) ++t;
      return static_cast<std::uint32_t>(t);
    }
    case Partition::kShard:
      return static_cast<std::uint32_t>(shard_of_hash(hash_key(key_of(index)), shard_bits_of(spec.shards)) %
                                        spec.threads);
  }
  return 0;
}

OpStream generate_stream(const WorkloadSpec& spec) {
  MB_DCHECK(validate(spec).empty());
  Rng kind_rng(thread_seed(spec.seed, spec.thread_index, 1));
  Rng key_rng(thread_seed(spec.seed, spec.thread_index, 2));
  std::uint64_t cumulative[kOpKinds];
  std::uint64_t total = 0;
  for (int i = 0; i < kOpKinds; ++i) cumulative[i] = (total += spec.mix[i]);

  // The thread's own ranks: every index when unpartitioned.
  const OwnedRange present = owned_range(spec, 0);
  OwnedRange missing;
  if (spec.mix[static_cast<int>(OpKind::kMiss)] > 0) missing = owned_range(spec, spec.keys);
  MB_DCHECK(present.count > 0 && (spec.mix[static_cast<int>(OpKind::kMiss)] == 0 || missing.count > 0));
  const std::uint64_t n = present.count;
  const bool zipf = spec.dist.kind == DistKind::kZipf;
  Zipfian zipfian(zipf ? n : 1, zipf ? spec.dist.theta : 0.5);
  std::uint64_t hot = static_cast<std::uint64_t>(spec.dist.hot_fraction * static_cast<double>(n));
  if (hot < 1) hot = 1;
  if (hot >= n) hot = n;

  auto draw_index = [&]() -> std::uint64_t {
    switch (spec.dist.kind) {
      case DistKind::kUniform:
        return key_rng.below(n);
      case DistKind::kZipf:
        return zipfian.next(key_rng);
      case DistKind::kHotspot:
        if (hot == n || key_rng.unit() < spec.dist.hot_op_fraction) return key_rng.below(hot);
        return hot + key_rng.below(n - hot);
      case DistKind::kHotkey:
        return 0;
    }
    return 0;
  };

  OpStream s;
  s.ops.resize(spec.stream_length);
  for (std::size_t i = 0; i < spec.stream_length; ++i) {
    std::uint64_t r = kind_rng.below(total);
    int kind = 0;
    while (r >= cumulative[kind]) ++kind;
    std::uint64_t rank = draw_index();
    std::uint64_t index;
    if (kind == static_cast<int>(OpKind::kMiss))
      index = missing.at(rank % missing.count);  // ranks are drawn over the present count
    else
      index = present.at(rank);
    s.ops[i] = op_word(spec.indexed_keys ? index : key_of(index), static_cast<OpKind>(kind));
  }
  return s;
}

double read_range_share(const std::uint32_t (&mix)[kOpKinds]) {
  double total = 0;
  for (auto w : mix) total += w;
  const double miss = mix[static_cast<int>(OpKind::kMiss)];
  if (total <= 0) return 1;
  return miss == total ? 1.0 : (total - miss) / total;
}

StreamPlan default_stream_length(const WorkloadSpec& spec, std::uint32_t threads, std::uint64_t budget_bytes,
                                 double op_bytes) {
  const auto round_up = [](double ops) {
    const double batches = std::ceil(ops / static_cast<double>(kStreamBatch));
    return static_cast<std::size_t>(std::max(1.0, batches)) * kStreamBatch;
  };
  StreamPlan p;
  const double total = kCoverageDraws * static_cast<double>(spec.keys) / read_range_share(spec.mix);
  p.ideal_per_thread = std::max(kMinStreamOps, round_up(total / std::max<std::uint32_t>(threads, 1)));
  const auto budget_ops = static_cast<std::uint64_t>(static_cast<double>(budget_bytes) / std::max(op_bytes, 1.0)) /
                          std::max<std::uint32_t>(threads, 1);
  const std::size_t cap = std::max<std::size_t>(kStreamBatch, budget_ops / kStreamBatch * kStreamBatch);
  p.ops_per_thread = std::min(p.ideal_per_thread, cap);
  p.capped = p.ops_per_thread < p.ideal_per_thread;
  return p;
}

namespace {

// Expected distinct indices among `draws` draws over `n` equally likely ones.
double uniform_distinct(double n, double draws) {
  if (n <= 0) return 0;
  return n * -std::expm1(draws * std::log1p(-1.0 / n));
}

}  // namespace

double expected_coverage(const Distribution& dist, std::uint64_t keys, double draws) {
  const double n = static_cast<double>(keys);
  if (keys == 0 || draws <= 0) return 0;
  switch (dist.kind) {
    case DistKind::kUniform:
      return uniform_distinct(n, draws) / n;
    case DistKind::kHotkey:
      return 1 / n;
    case DistKind::kHotspot: {
      // The hot set as generate_stream sizes it.
      double hot = std::floor(dist.hot_fraction * n);
      hot = std::min(std::max(hot, 1.0), n);
      if (hot == n) return uniform_distinct(n, draws) / n;
      const double p = dist.hot_op_fraction;
      return (uniform_distinct(hot, draws * p) + uniform_distinct(n - hot, draws * (1 - p))) / n;
    }
    case DistKind::kZipf: {
      // P(rank i) = i^-θ / ζ(n, θ), ranks from 1. Exact over the head, then
      // the tail as an integral on log-spaced points (the summand is smooth
      // and monotone there).
      const double theta = dist.theta;
      const double z = zeta(keys, theta);
      const auto touched = [&](double i) { return -std::expm1(-draws * std::pow(i, -theta) / z); };
      const std::uint64_t head = std::min<std::uint64_t>(keys, 100000);
      double sum = 0;
      for (std::uint64_t i = 1; i <= head; ++i) sum += touched(static_cast<double>(i));
      if (head < keys) {
        constexpr int kSteps = 4096;
        const double a = static_cast<double>(head) + 0.5, b = n + 0.5;
        const double ratio = std::pow(b / a, 1.0 / kSteps);
        double x0 = a, f0 = touched(a);
        for (int k = 0; k < kSteps; ++k) {
          const double x1 = x0 * ratio, f1 = touched(x1);
          sum += 0.5 * (f0 + f1) * (x1 - x0);
          x0 = x1;
          f0 = f1;
        }
      }
      return std::min(1.0, sum / n);
    }
  }
  return 0;
}

namespace {

std::uint64_t inverse_odd(std::uint64_t a) {
  std::uint64_t x = a;  // Newton's iteration for a^-1 mod 2^64 (a odd), so also mod 2^61
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
std::uint64_t unxorshift(std::uint64_t y, int s) {
  std::uint64_t x = y;
  for (int i = 0; i < 64 / s + 1; ++i) x = y ^ (x >> s);
  return x & kKeyMask;
}

}  // namespace

std::uint64_t index_of(std::uint64_t key) {
  static const std::uint64_t inv2 = inverse_odd(0x94d049bb133111ebULL), inv1 = inverse_odd(0xbf58476d1ce4e5b9ULL);
  std::uint64_t z = unxorshift(key & kKeyMask, 32);
  z = (z * inv2) & kKeyMask;
  z = unxorshift(z, 29);
  z = (z * inv1) & kKeyMask;
  z = unxorshift(z, 31);
  return (z - 1) & kKeyMask;
}

void mark_coverage(const OpStream& stream, std::uint64_t* coverage, bool indexed_keys) {
  for (std::uint64_t op : stream.ops) {
    const std::uint64_t index = indexed_keys ? op_key(op) : index_of(op_key(op));
    // Relaxed: the bitmap is read after every marking thread has finished
    // its run, which orders the ORs before the count.
    std::atomic_ref<std::uint64_t>(coverage[index >> 6])
        .fetch_or(std::uint64_t{1} << (index & 63), std::memory_order_relaxed);
  }
}

Coverage count_coverage(const std::uint64_t* words, std::uint64_t keys) {
  Coverage c;
  const std::uint64_t bits = 2 * keys;
  for (std::uint64_t i = 0; i < coverage_words(keys); ++i) {
    const std::uint64_t lo = i * 64;
    std::uint64_t w = words[i];
    if (lo + 64 > bits) w &= (std::uint64_t{1} << (bits - lo)) - 1;  // bits past 2 * keys are never drawn
    if (lo + 64 <= keys) {
      c.present += static_cast<std::uint64_t>(__builtin_popcountll(w));
    } else if (lo >= keys) {
      c.miss += static_cast<std::uint64_t>(__builtin_popcountll(w));
    } else {
      const std::uint64_t below = (std::uint64_t{1} << (keys - lo)) - 1;
      c.present += static_cast<std::uint64_t>(__builtin_popcountll(w & below));
      c.miss += static_cast<std::uint64_t>(__builtin_popcountll(w & ~below));
    }
  }
  return c;
}

}  // namespace mapbench
