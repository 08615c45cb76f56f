// workload.h — op streams generated before the clock starts.
//
// A thread's stream is a fixed array of op words drawn from a seeded
// per-thread PRNG; the timed loop replays it cyclically, so no random number
// is drawn and no key is derived while timing. An op word is 8 bytes:
// key << 3 | kind, which keys below 2^61 make lossless (key_of() yields only
// those), so one load and two ALU instructions give the loop both. Op kind
// and key come from two independent generators (drawing both from the same
// bits would correlate them).
//
// Coverage: a stream replays the same ops, so the keys it touches are the
// keys a run measures. The default length (default_stream_length) makes the
// union of the threads' streams draw kCoverageDraws x keys ops from the
// range the mix reads, which for a uniform key space touches each key with
// probability 1 - e^-4 (98.2%), within a byte budget; mark_coverage marks
// every index a stream holds in a bitmap the run's threads share, so a run
// knows exactly how many distinct keys its streams hold (count_coverage),
// and expected_coverage says what the distribution would give at a length.
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
//
// Partitioning (WorkloadSpec::partition) decides which indices a thread's
// distribution ranges over; the distribution then applies within them, to
// the thread's own ranks 0, 1, ... (zipf's rank 0 is the thread's first
// index, hotkey is each thread's own first key):
//   none    every thread draws from all of [0, keys) (the default);
//   thread  thread t of T owns the indices [t*keys/T, (t+1)*keys/T);
//   shard   thread t owns the indices whose key a ShardedMap of `shards`
//           shards places in a shard s with s % T == t (shard_of_hash):
//           threads never share a shard, while neighbouring shards (whose
//           packed headers share lines) belong to different threads.
// Miss ops use the same rule over [keys, 2*keys). Every index of [0, keys)
// is some thread's, so prefill (all of [0, keys)) covers every thread's
// range, and the union of the threads' streams is what coverage counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common.h"

namespace mapbench {

enum class OpKind : std::uint8_t { kGet = 0, kMiss = 1, kUpdate = 2, kInsert = 3, kErase = 4 };
inline constexpr int kOpKinds = 5;
// Names in OpKind order: the order of a mix's weights everywhere.
inline constexpr std::array<const char*, kOpKinds> kOpKindNames = {"get", "miss", "update", "insert", "erase"};

enum class DistKind : std::uint8_t { kUniform, kZipf, kHotspot, kHotkey };
inline constexpr std::array<const char*, 4> kDistKindNames = {"uniform", "zipf", "hotspot", "hotkey"};

struct Distribution {
  DistKind kind = DistKind::kUniform;
  double theta = 0.99;           // zipf: 0 < theta < 1
  double hot_fraction = 0.01;    // hotspot: 0 < f < 1
  double hot_op_fraction = 0.9;  // hotspot: 0 <= p <= 1
};

enum class Partition : std::uint8_t { kNone, kThread, kShard };
inline constexpr std::array<const char*, 3> kPartitionNames = {"none", "thread", "shard"};

struct WorkloadSpec {
  std::uint32_t mix[kOpKinds] = {100, 0, 0, 0, 0};  // weights by OpKind
  Distribution dist;
  Partition partition = Partition::kNone;
  std::uint32_t threads = 1;  // partitioned: how many threads share the key space
  std::uint32_t shards = 1;   // kShard: the sharded map's shard count, a power of two >= threads
  std::uint64_t keys = 1000;  // present keys; >= 1
  std::uint64_t seed = 1;
  std::uint32_t thread_index = 0;
  std::size_t stream_length = 1 << 20;  // ops; a multiple of kStreamBatch
  // Op words hold the key index itself instead of key_of(index): the
  // streams of string-keyed maps, whose keys come from a KeyArena
  // (runtime/keys.h). Not with the shard partition (its rule hashes key_of).
  bool indexed_keys = false;
};

inline constexpr std::size_t kStreamBatch = 256;

struct OpStream {
  std::vector<std::uint64_t> ops;  // op words
  std::size_t size() const { return ops.size(); }
};

// Streams of every thread together draw this many ops per key of the range
// the mix reads (see the header comment).
inline constexpr double kCoverageDraws = 4;
// A stream is never shorter than this (short cycles would let the branch
// predictors learn the replayed sequence).
inline constexpr std::size_t kMinStreamOps = std::size_t{1} << 18;
inline constexpr std::size_t kOpBytes = sizeof(std::uint64_t);
inline constexpr std::uint64_t kDefaultStreamBudgetBytes = std::uint64_t{1} << 30;

// Fraction of the ops of `mix` that draw from the present range [0, keys)
// (every kind but miss), or from the miss range when the mix reads only
// misses: the range whose coverage matters.
double read_range_share(const std::uint32_t (&mix)[kOpKinds]);

struct StreamPlan {
  std::size_t ops_per_thread = 0;    // multiple of kStreamBatch
  std::size_t ideal_per_thread = 0;  // what full coverage asks for, before the budget
  bool capped = false;               // the budget made it shorter than ideal
};
// The default per-thread stream length for `threads` threads over `spec`'s
// key space and mix, within `budget_bytes` of streams for all threads.
// `op_bytes`: what one op of a stream holds in memory (kOpBytes; string keys
// add their tape record and the indexed copy, see keys.h).
StreamPlan default_stream_length(const WorkloadSpec& spec, std::uint32_t threads, std::uint64_t budget_bytes,
                                 double op_bytes = kOpBytes);

// Expected fraction of the indices of a range of `keys` indices that
// `draws` independent draws from `dist` touch at least once (exact sums for
// the skewed head, an integral over the zipfian tail).
double expected_coverage(const Distribution& dist, std::uint64_t keys, double draws);

// Bitmap words that mark both ranges [0, 2 * keys).
inline std::size_t coverage_words(std::uint64_t keys) { return static_cast<std::size_t>((2 * keys + 63) / 64); }
struct Coverage {
  std::uint64_t present = 0;  // distinct indices in [0, keys)
  std::uint64_t miss = 0;     // distinct indices in [keys, 2 * keys)
};
Coverage count_coverage(const std::uint64_t* words, std::uint64_t keys);
// Marks every index `stream` holds in `coverage` (at least
// coverage_words(keys) words, shared by the threads of one run) with a
// relaxed atomic OR, so threads marking at once build the union.
void mark_coverage(const OpStream& stream, std::uint64_t* coverage, bool indexed_keys = false);

// Bijective key scrambler on 61-bit words (a splitmix64-style finaliser on
// index + 1: xor-shifts and odd multiplications mod 2^61 are each
// bijective). Keys stay below 2^61 so that an op word holds key and kind.
// Maps no index below 2^58 onto a sentinel (0 comes only from 2^61 - 1, 1
// from an index above 2^58); a test pins that.
inline constexpr std::uint64_t kKeyBits = 61;
inline constexpr std::uint64_t kKeyMask = (std::uint64_t{1} << kKeyBits) - 1;
inline constexpr std::uint64_t key_of(std::uint64_t index) {
  std::uint64_t z = (index + 1) & kKeyMask;
  z ^= z >> 31;
  z = (z * 0xbf58476d1ce4e5b9ULL) & kKeyMask;
  z ^= z >> 29;
  z = (z * 0x94d049bb133111ebULL) & kKeyMask;
  return z ^ (z >> 32);
}

// The thread that owns key index `index` (< 2 * keys) under `spec`'s
// partition (0 for kNone).
std::uint32_t owner_of(const WorkloadSpec& spec, std::uint64_t index);

// The inverse of key_of on [0, 2^61): undoes each step in reverse order.
std::uint64_t index_of(std::uint64_t key);

// An op word: key << 3 | kind (see the header comment).
inline constexpr std::uint64_t op_word(std::uint64_t key, OpKind kind) {
  return key << 3 | static_cast<std::uint64_t>(kind);
}
inline constexpr std::uint64_t op_key(std::uint64_t op) { return op >> 3; }
inline constexpr std::uint8_t op_kind(std::uint64_t op) { return static_cast<std::uint8_t>(op & 7); }

// Prefill writes value_of(key); writers in the runner write tagged values
// ((thread + 1) << 48 | counter). Both stay <= kMaxUserValue (2^63 - 3):
// the tag is at most 32766 << 48 because thread indices are below
// kMaxThreads (the addon and mapbench_native enforce it).
inline constexpr std::uint32_t kMaxThreads = 32766;
inline constexpr std::uint64_t value_of(std::uint64_t key) { return key >> 2; }  // < 2^62
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
