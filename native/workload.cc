#include "workload.h"

#include <cmath>
#include <map>
#include <mutex>
#include <utility>

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

OpStream generate_stream(const WorkloadSpec& spec) {
  MB_DCHECK(validate(spec).empty());
  Rng kind_rng(thread_seed(spec.seed, spec.thread_index, 1));
  Rng key_rng(thread_seed(spec.seed, spec.thread_index, 2));
  std::uint64_t cumulative[kOpKinds];
  std::uint64_t total = 0;
  for (int i = 0; i < kOpKinds; ++i) cumulative[i] = (total += spec.mix[i]);

  const std::uint64_t n = spec.keys;
  const bool zipf = spec.dist.kind == DistKind::kZipf;
  Zipfian zipfian(zipf ? n : 1, zipf ? spec.dist.theta : 0.5);
  std::uint64_t hot = static_cast<std::uint64_t>(spec.dist.hot_fraction * static_cast<double>(n));
  if (hot < 1) hot = 1;
  if (hot >= n) hot = n;

  auto draw_index = [&]() -> std::uint64_t {
    switch (spec.dist.kind) {
      case DistKind::kUniform: return key_rng.below(n);
      case DistKind::kZipf: return zipfian.next(key_rng);
      case DistKind::kHotspot:
        if (hot == n || key_rng.unit() < spec.dist.hot_op_fraction) return key_rng.below(hot);
        return hot + key_rng.below(n - hot);
      case DistKind::kHotkey: return 0;
    }
    return 0;
  };

  OpStream s;
  s.keys.resize(spec.stream_length);
  s.kinds.resize(spec.stream_length);
  for (std::size_t i = 0; i < spec.stream_length; ++i) {
    std::uint64_t r = kind_rng.below(total);
    int kind = 0;
    while (r >= cumulative[kind]) ++kind;
    std::uint64_t index = draw_index();
    if (kind == static_cast<int>(OpKind::kMiss)) index += n;
    s.kinds[i] = static_cast<std::uint8_t>(kind);
    s.keys[i] = key_of(index);
  }
  return s;
}

}  // namespace mapbench
