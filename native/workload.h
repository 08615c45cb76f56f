// workload.h — op streams generated before the clock starts.
//
// A thread's stream is a fixed array of (key, kind) pairs drawn from a
// seeded per-thread PRNG; the timed loop replays it cyclically, so no random
// number is drawn and no key is derived while timing. Op kind and key come
// from two independent generators (drawing both from the same bits would
// correlate them).
//
// Key space: indices [0, keys) are the "present" keys, all inserted by
// prefill; `miss` ops use indices [keys, 2*keys), which are never inserted.
// A key index becomes a 64-bit key through key_of(), a bijective mixer, so
// key order is not table order. The distributions pick the index:
//   uniform          every index equally likely;
//   zipf:θ           YCSB's zipfian (Gray et al.) over ranks, rank = index —
//                    scattered over the table by key_of(), which is what
//                    YCSB's "scrambled" zipfian achieves, without its
//                    hash-mod collisions;
//   hotspot:f:p      a fraction p of ops go uniformly to the first f·keys
//                    indices, the rest uniformly to the others;
//   hotkey           every op on index 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common.h"

namespace mapbench {

enum class OpKind : std::uint8_t { kGet = 0, kMiss = 1, kUpdate = 2, kInsert = 3, kErase = 4 };
inline constexpr int kOpKinds = 5;

enum class DistKind : std::uint8_t { kUniform, kZipf, kHotspot, kHotkey };

struct Distribution {
  DistKind kind = DistKind::kUniform;
  double theta = 0.99;          // zipf: 0 < theta < 1
  double hot_fraction = 0.01;   // hotspot: 0 < f < 1
  double hot_op_fraction = 0.9; // hotspot: 0 <= p <= 1
};

struct WorkloadSpec {
  std::uint32_t mix[kOpKinds] = {100, 0, 0, 0, 0};  // weights by OpKind
  Distribution dist;
  std::uint64_t keys = 1000;          // present keys; >= 1
  std::uint64_t seed = 1;
  std::uint32_t thread_index = 0;
  std::size_t stream_length = 1 << 20; // ops; a multiple of kStreamBatch
};

inline constexpr std::size_t kStreamBatch = 256;

struct OpStream {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint8_t> kinds;
  std::size_t size() const { return keys.size(); }
};

// Bijective key scrambler (splitmix64's finaliser on index + 1). Maps no
// index below 2^62 onto a sentinel; a test pins that.
inline constexpr std::uint64_t key_of(std::uint64_t index) {
  std::uint64_t z = index + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Prefill writes value_of(key); writers in the runner write tagged values
// ((thread + 1) << 48 | counter). Neither can be the reserved value: the
// tag is at most 65534 << 48 because thread indices are below 65534 (the
// addon and the harness enforce it).
inline constexpr std::uint64_t value_of(std::uint64_t key) { return key >> 1; }
inline constexpr std::uint64_t tagged_value(std::uint32_t thread_index, std::uint64_t counter) {
  return (std::uint64_t{thread_index + 1} << 48) | (counter & ((std::uint64_t{1} << 48) - 1));
}

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t below(std::uint64_t n) { return reduce_range(next(), n); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// YCSB's zipfian generator over ranks [0, n). zeta(n, θ) is O(n) to compute,
// so it is cached per (n, θ) for the life of the process.
class Zipfian {
 public:
  Zipfian(std::uint64_t n, double theta);
  std::uint64_t next(Rng& rng) const;

 private:
  std::uint64_t n_;
  double theta_, alpha_, zetan_, eta_, half_pow_theta_;
};

// Returns an empty string when the spec is valid, else a one-line reason.
std::string validate(const WorkloadSpec& spec);

// Requires: validate(spec) is empty.
OpStream generate_stream(const WorkloadSpec& spec);

// Derives independent per-thread seeds from one run seed.
std::uint64_t thread_seed(std::uint64_t seed, std::uint32_t thread_index, std::uint64_t salt);

}  // namespace mapbench
