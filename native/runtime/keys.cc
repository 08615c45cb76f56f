// keys.cc — key types, the key arena and tapes (keys.h).
#include "runtime/keys.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "runtime/string_hash.h"

namespace mapbench {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kHex[] = "0123456789abcdef";
constexpr std::uint32_t kOrderDigits = 12;
constexpr std::string_view kOrderPrefix = "order:";
constexpr std::uint32_t kUuidLen = 36;
// Base-62 digits that hold any index below 2^61 (62^11 > 2^61).
constexpr std::uint32_t kIdDigits = 11;

bool parse_u32(std::string_view s, std::uint32_t* out) {
  if (s.empty() || s.size() > 9) return false;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

// 62^d, saturating at 2^64 - 1.
std::uint64_t pow62(std::uint32_t d) {
  std::uint64_t p = 1;
  for (std::uint32_t i = 0; i < d; ++i) {
    if (p > std::numeric_limits<std::uint64_t>::max() / 62) return std::numeric_limits<std::uint64_t>::max();
    p *= 62;
  }
  return p;
}

// A bijection of [0, 2^48) (odd multiplications and xor-shifts mod 2^48).
std::uint64_t mix48(std::uint64_t x) {
  constexpr std::uint64_t m = (std::uint64_t{1} << 48) - 1;
  x &= m;
  x ^= x >> 23;
  x = (x * 0x9fb21c651e98dULL) & m;
  x ^= x >> 25;
  x = (x * 0x6a09e667f3bcdULL) & m;
  return x ^ (x >> 24);
}

}  // namespace

std::string KeyType::name() const {
  switch (kind) {
    case KeyKind::kU64:
      return "u64";
    case KeyKind::kFixed:
      return "str:" + std::to_string(min_len);
    case KeyKind::kRange:
      return "str:" + std::to_string(min_len) + "-" + std::to_string(max_len);
    case KeyKind::kOrder:
      return "str:order";
    case KeyKind::kUuid:
      return "str:uuid";
  }
  return "u64";
}

std::string parse_key_type(std::string_view text, KeyType* out) {
  const std::string usage = "key type '" + std::string(text) +
                            "' is not one of u64, str:N, str:A-B, str:order, str:uuid (lengths in 1.." +
                            std::to_string(kMaxKeyBytes) + " bytes)";
  KeyType t;
  if (text == "u64") {
    *out = t;
    return {};
  }
  if (text.substr(0, 4) != "str:") return usage;
  const std::string_view rest = text.substr(4);
  if (rest == "order") {
    t.kind = KeyKind::kOrder;
    t.min_len = t.max_len = static_cast<std::uint32_t>(kOrderPrefix.size()) + kOrderDigits;
  } else if (rest == "uuid") {
    t.kind = KeyKind::kUuid;
    t.min_len = t.max_len = kUuidLen;
  } else if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
    t.kind = KeyKind::kRange;
    if (!parse_u32(rest.substr(0, dash), &t.min_len) || !parse_u32(rest.substr(dash + 1), &t.max_len)) return usage;
    if (t.min_len > t.max_len)
      return "key type " + std::string(text) + ": the shortest length must not exceed the longest";
  } else {
    t.kind = KeyKind::kFixed;
    if (!parse_u32(rest, &t.min_len)) return usage;
    t.max_len = t.min_len;
  }
  if (t.min_len < 1 || t.max_len > kMaxKeyBytes)
    return "key type " + std::string(text) + ": key lengths must be in 1.." + std::to_string(kMaxKeyBytes) + " bytes";
  *out = t;
  return {};
}

std::string validate_key_space(const KeyType& type, std::uint64_t keys) {
  const std::uint64_t need = 2 * keys;  // present and miss ranges
  std::uint64_t can = std::numeric_limits<std::uint64_t>::max();
  switch (type.kind) {
    case KeyKind::kU64:
      return {};
    case KeyKind::kFixed:
    case KeyKind::kRange:
      can = pow62(std::min(type.min_len, kIdDigits));
      break;
    case KeyKind::kOrder:
      can = 1'000'000'000'000ULL;
      break;
    case KeyKind::kUuid:
      can = std::uint64_t{1} << 48;
      break;
  }
  if (need > can)
    return "key type " + type.name() + " can spell only " + std::to_string(can) + " distinct keys, and --keys " +
           std::to_string(keys) + " needs " + std::to_string(need) + " (present and miss ranges): use longer keys";
  return {};
}

KeyArena::KeyArena(const KeyType& type, std::uint64_t keys, std::uint64_t seed) : type_(type), keys_(keys) {
  MB_DCHECK(type.strings() && validate_key_space(type, keys).empty());
  const std::uint64_t n = 2 * keys;
  Rng rng(thread_seed(seed, 0, 0x6b657973));  // "keys"
  offsets_.resize(n + 1);
  bytes_.reserve(static_cast<std::size_t>(static_cast<double>(n) * type.mean_len()));
  std::string key;
  for (std::uint64_t i = 0; i < n; ++i) {
    key.clear();
    switch (type.kind) {
      case KeyKind::kU64:
        break;
      case KeyKind::kFixed:
      case KeyKind::kRange: {
        const std::uint32_t len =
            type.kind == KeyKind::kFixed
                ? type.min_len
                : type.min_len + static_cast<std::uint32_t>(rng.below(type.max_len - type.min_len + 1));
        // The id: the index itself when the shortest key is short (62^len
        // bounds it), else key_of(index), a bijection, in 11 digits — the
        // filler before it is random, so keys differ all along their length.
        const std::uint32_t digits = std::min(type.min_len, kIdDigits);
        std::uint64_t id = digits < kIdDigits ? i : key_of(i);
        key.resize(len);
        for (std::uint32_t j = 0; j + digits < len; ++j) key[j] = kBase62[rng.below(62)];
        for (std::uint32_t j = 0; j < digits; ++j, id /= 62) key[len - 1 - j] = kBase62[id % 62];
        break;
      }
      case KeyKind::kOrder: {
        // index x 2654435761 mod 10^12 is a bijection (the factor is coprime to 10).
        std::uint64_t id =
            static_cast<std::uint64_t>((static_cast<unsigned __int128>(i) * 2654435761ULL) % 1'000'000'000'000ULL);
        key.assign(kOrderPrefix);
        key.resize(kOrderPrefix.size() + kOrderDigits);
        for (std::uint32_t j = 0; j < kOrderDigits; ++j, id /= 10)
          key[key.size() - 1 - j] = static_cast<char>('0' + id % 10);
        break;
      }
      case KeyKind::kUuid: {
        // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: the first 48 bits are a
        // bijection of the index, the rest random, version 4, variant 10.
        const std::uint64_t head = mix48(i ^ (seed * 0x9e3779b97f4a7c15ULL));
        const std::uint64_t tail = rng.next();
        const std::uint64_t more = rng.next();
        key.resize(kUuidLen);
        int pos = 0;
        auto hex = [&](std::uint64_t v, int nibbles) {
          for (int j = nibbles - 1; j >= 0; --j) key[pos++] = kHex[(v >> (4 * j)) & 15];
        };
        hex(head >> 16, 8);
        key[pos++] = '-';
        hex(head, 4);
        key[pos++] = '-';
        key[pos++] = '4';
        hex(tail, 3);
        key[pos++] = '-';
        key[pos++] = kHex[8 + ((tail >> 12) & 3)];
        hex(tail >> 16, 3);
        key[pos++] = '-';
        hex(more, 12);
        break;
      }
    }
    offsets_[i] = bytes_.size();
    bytes_.insert(bytes_.end(), key.begin(), key.end());
  }
  offsets_[n] = bytes_.size();
}

void build_tape(const KeyArena& arena, const OpStream& indexed, KeyTape* out) {
  std::size_t words = 0;
  for (std::uint64_t op : indexed.ops) words += tape_record_bytes(arena.key(op_key(op)).size()) / 8;
  out->storage.assign(words, 0);
  out->stream.ops.resize(indexed.size());
  char* base = reinterpret_cast<char*>(out->storage.data());
  std::size_t at = 0;
  for (std::size_t i = 0; i < indexed.size(); ++i) {
    const std::string_view k = arena.key(op_key(indexed.ops[i]));
    const auto len = static_cast<std::uint32_t>(k.size());
    std::memcpy(base + at, &len, sizeof len);
    std::memcpy(base + at + sizeof len, k.data(), k.size());
    out->stream.ops[i] =
        op_word(reinterpret_cast<std::uintptr_t>(base + at), static_cast<OpKind>(op_kind(indexed.ops[i])));
    at += tape_record_bytes(k.size());
  }
}

HashCost measure_hash_cost(const KeyArena& arena, double seconds) {
  HashCost c;
  const std::uint64_t n = arena.keys();
  std::uint64_t bytes = 0, sum = 0, done = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  // Rounds of 4096 keys (a clock read per round, not per key), taken in
  // order: the arena's keys are contiguous, so this times the hash, not
  // the memory it reads.
  std::uint64_t i = 0;
  do {
    for (int r = 0; r < 4096; ++r, ++i) {
      if (i == n) i = 0;
      const std::string_view k = arena.key(i);
      sum += string_hash(k);
      bytes += k.size();
    }
    done += 4096;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  c.ns_per_key = elapsed * 1e9 / static_cast<double>(done);
  c.mean_bytes = static_cast<double>(bytes) / static_cast<double>(done);
  c.keys_hashed = done;
  c.checksum = sum;
  return c;
}

}  // namespace mapbench
