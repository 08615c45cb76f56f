// common.h — pieces every map design shares: the padding constant, the key
// and value sentinels, the hash mixer, index derivation, CPU pause and the
// one debug-assert macro. Nothing here knows about Node.
//
// Sentinels (the public API rejects them; see Status::kReservedKey):
//   key 0 (kEmptyKey)      marks a never-used slot in every table;
//   key 1 (kTombstoneKey)  marks an erased slot in the locked table core;
//   values >= 2^63-2       are the lock-free maps' cell states: the fixed
//                          map stores value+1 (0 = absent), the migrating
//                          one value+2 below its "frozen" bit 63
//                          (migrating_lockfree_map.h); 2^64-1 also marks
//                          absence in the read-mostly and urcu maps.
// Key 1 also seals an empty slot of a migrating lock-free table.
// User keys are therefore >= 2 and user values <= kMaxUserValue, for every
// design, so a workload can move between designs unchanged.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Padding unit for anything two threads may write. 64 is the x86 line;
// 128 matches Intel's adjacent-line (spatial) prefetcher, which pulls lines
// in pairs. Chosen at build time (MAPBENCH_PAD=128 npm run build) and
// recorded in every result's build info.
#ifndef MAPBENCH_PAD
#define MAPBENCH_PAD 64
#endif

namespace mapbench {

inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::size_t kPad = MAPBENCH_PAD;
static_assert(kPad == 64 || kPad == 128, "MAPBENCH_PAD must be 64 or 128");

inline constexpr std::uint64_t kEmptyKey = 0;
inline constexpr std::uint64_t kTombstoneKey = 1;
inline constexpr std::uint64_t kFirstUserKey = 2;
inline constexpr std::uint64_t kReservedValue = ~std::uint64_t{0};
inline constexpr std::uint64_t kMaxUserValue = (std::uint64_t{1} << 63) - 3;

inline constexpr bool is_user_key(std::uint64_t key) { return key >= kFirstUserKey; }
inline constexpr bool is_user_value(std::uint64_t value) { return value <= kMaxUserValue; }

// Outcome of a single map operation, shared by every design.
enum class Status : std::uint8_t {
  kOk = 0,       // get hit, update applied, erase removed
  kInserted,     // insert added a new key
  kAssigned,     // insert found the key and replaced its value
  kNotFound,     // get / update / erase on an absent key
  kFull,         // insert found no free slot (fixed-capacity tables)
  kReservedKey,  // key or value is a sentinel (public API only)
};

const char* status_name(Status s);

// MurmurHash3's 64-bit finaliser: a bijection with full avalanche, so
// sequential keys spread over the table. Every map hashes keys with it.
inline constexpr std::uint64_t hash_key(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// The shard a ShardedMap of 2^shard_bits shards puts a key of hash `hash`
// in: its top shard_bits bits (ShardedMap and the shard partition of workload.h both use this).
inline constexpr std::size_t shard_of_hash(std::uint64_t hash, std::size_t shard_bits) {
  return shard_bits == 0 ? 0 : static_cast<std::size_t>(hash >> (64 - shard_bits));
}

// Lemire's multiply-shift range reduction: maps a 64-bit hash onto [0, n)
// using its high bits, for any n (capacities need not be powers of two).
inline std::uint64_t reduce_range(std::uint64_t hash, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(hash) * n) >> 64);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  __asm__ __volatile__("" ::: "memory");
#endif
}

[[noreturn]] void assert_fail(const char* expr, const char* file, int line);

// An enum's name table (kOpKindNames, kLockKindNames, ...): the index of
// `name`, or -1; and the names as "a, b, c" for error messages.
template <std::size_t N>
int name_index(const std::array<const char*, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<int>(i);
  return -1;
}
template <std::size_t N>
std::string name_list(const std::array<const char*, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

}  // namespace mapbench

// One precondition macro: checked in debug and sanitizer builds, free in
// release builds (the hot loops must not pay for it).
#ifdef MAPBENCH_DEBUG
#define MB_DCHECK(expr) ((expr) ? (void)0 : ::mapbench::assert_fail(#expr, __FILE__, __LINE__))
#else
#define MB_DCHECK(expr) ((void)0)
#endif
