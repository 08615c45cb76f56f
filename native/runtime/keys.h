// keys.h — key types: what a workload's key index becomes when the map is
// keyed by byte strings rather than 64-bit integers, generated before the
// clock like the op streams.
//
// Key types (--key-type; KeyType::name() is how results spell them):
//   u64          key_of(index), the integer keys of every other header;
//   str:N        N bytes (1 <= N <= kMaxKeyBytes) of printable filler
//                ending in the index's own base-62 digits;
//   str:A-B      the same, each key's length drawn uniformly in [A, B];
//   str:order    "order:" + 12 decimal digits (18 bytes): the order IDs of
//                a cache keyed by order, every key sharing a 6-byte prefix;
//   str:uuid     36-character UUID text (version 4 layout, lower-case hex).
// Distinct by construction: each format writes a bijection of the index
// into the key, so no two indices give the same bytes; a format that
// cannot spell 2 x keys distinct keys (present + miss range) is refused by
// validate_key_space, never discovered at run time.
//
// Where keys live:
//   KeyArena  every key of [0, 2 x keys), one per map (made with it, from
//             --seed), for prefill, the post-run check and single ops;
//   KeyTape   one per benchmark thread: the keys of its op stream copied in
//             stream order ([u32 length][bytes], 8-byte aligned), so the
//             timed loop reads its next key sequentially, as a server reads
//             keys out of its request buffers; the tape's op words hold the
//             record's address in place of the key (addresses are below
//             2^48, so op_word() still packs them with the op kind).
//             Reading a key therefore costs a sequential read, not a cache
//             miss of its own, for every design alike.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/workload.h"

namespace mapbench {

enum class KeyKind : std::uint8_t { kU64, kFixed, kRange, kOrder, kUuid };

inline constexpr std::uint32_t kMaxKeyBytes = 1024;

struct KeyType {
  KeyKind kind = KeyKind::kU64;
  std::uint32_t min_len = 8, max_len = 8;  // bytes (u64: 8)
  bool strings() const { return kind != KeyKind::kU64; }
  std::string name() const;  // "u64", "str:16", "str:8-64", "str:order", "str:uuid"
  double mean_len() const { return (static_cast<double>(min_len) + max_len) / 2; }
  bool operator==(const KeyType&) const = default;
};

// Parses --key-type; an empty string when `out` is set, else a one-line reason.
std::string parse_key_type(std::string_view text, KeyType* out);
// Empty when `type` can spell 2 x keys distinct keys, else a one-line reason.
std::string validate_key_space(const KeyType& type, std::uint64_t keys);

class KeyArena {
 public:
  // Requires: validate_key_space(type, keys) is empty. Keys [0, 2 x keys).
  KeyArena(const KeyType& type, std::uint64_t keys, std::uint64_t seed);
  std::string_view key(std::uint64_t index) const {
    return {bytes_.data() + offsets_[index], static_cast<std::size_t>(offsets_[index + 1] - offsets_[index])};
  }
  std::uint64_t size() const { return offsets_.size() - 1; }  // 2 x keys
  std::uint64_t keys() const { return keys_; }                // the present range
  const KeyType& type() const { return type_; }
  std::uint64_t bytes() const { return bytes_.size() + offsets_.size() * sizeof(std::uint64_t); }

 private:
  KeyType type_;
  std::uint64_t keys_;
  std::vector<char> bytes_;
  std::vector<std::uint64_t> offsets_;  // key i is bytes_[offsets_[i], offsets_[i+1])
};

// A tape record: the key's length, then its bytes (see the header comment).
struct TapeKey {
  std::uint32_t len;
  char bytes[4];  // the first bytes; the record runs on for len bytes
  std::string_view view() const { return {bytes, len}; }
};
inline const TapeKey& tape_key(std::uint64_t word) { return *reinterpret_cast<const TapeKey*>(word); }
// Bytes of one tape record of a key of `len` bytes.
inline std::size_t tape_record_bytes(std::size_t len) { return (sizeof(std::uint32_t) + len + 7) / 8 * 8; }

// Memory one op of a string-keyed stream holds: the indexed op word, the
// copy the tape cache compares, the tape's op word and its record (mean length).
inline double stream_bytes_per_op(const KeyType& t) {
  if (!t.strings()) return sizeof(std::uint64_t);
  return 3 * sizeof(std::uint64_t) + static_cast<double>(tape_record_bytes(static_cast<std::size_t>(t.mean_len())));
}

struct KeyTape {
  std::vector<std::uint64_t> storage;  // the records (8-byte words, so records stay aligned)
  OpStream stream;                     // the stream's ops with tape addresses for keys
};
// Requires: `indexed` holds op words of key indices (WorkloadSpec::indexed_keys)
// below arena.size().
void build_tape(const KeyArena& arena, const OpStream& indexed, KeyTape* out);

// Nanoseconds per string_hash() over the arena's keys (the present range,
// cycled for at least `seconds`): the hash's own cost per key, the string
// keys' calibration row. Also returns the mean key length it hashed.
struct HashCost {
  double ns_per_key = 0;
  double mean_bytes = 0;
  std::uint64_t keys_hashed = 0;
  std::uint64_t checksum = 0;  // keeps the hashes live
};
HashCost measure_hash_cost(const KeyArena& arena, double seconds);

}  // namespace mapbench
