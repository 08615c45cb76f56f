// key_policy.h — what a table needs to know about its keys, so one table
// core serves integer and byte-string keys alike (open_table.h, the
// lock-free string table, the chained designs).
//
// A slot's key word is a 64-bit value in which 0 (kEmptyKey) and 1
// (kTombstoneKey) keep their meaning for every key type:
//   U64Keys        the word is the key itself (user keys are >= 2);
//   StrKeys<Hash>  the word is the address of an immutable KeyRecord
//                  {hash, length, bytes} the table allocated when the key
//                  was first inserted, with the top 16 bits of the key's
//                  hash in the word's top 16 bits (user-space addresses
//                  fit in 47 bits; an address is never 0 or 1).
// A lookup hashes the probe key once (hash()), and matches() compares a
// slot's word with it: the 16-bit tag in the word first, so a probe past a
// different key reads no record in 65535 cases of 65536; on a tag match the
// record's full hash, then its length and bytes.
//
// Ownership: a table that stores a string key owns its record; store()
// allocates it (through the counting heap, so allocations per op count it),
// release() frees it. Who may call release() when is the table's business:
// the locked tables free a record when erase tombstones its slot (no reader
// can hold it: readers hold the lock); the lock-free string table never
// frees a record while the table lives (a slot keeps its key for life).
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/string_hash.h"

namespace mapbench {

struct U64Keys {
  using Key = std::uint64_t;
  static constexpr bool kStrings = false;
  static std::uint64_t hash(Key k) { return hash_key(k); }
  static bool matches(std::uint64_t word, Key k, std::uint64_t) { return word == k; }
  static std::uint64_t hash_of_word(std::uint64_t word) { return hash_key(word); }
  static std::uint64_t store(Key k, std::uint64_t) { return k; }
  static void release(std::uint64_t) {}
  static std::uint64_t key_bytes(std::uint64_t) { return 0; }  // beyond the slot
};

// An immutable key: written once by store(), then only read.
struct KeyRecord {
  std::uint64_t hash;
  std::uint32_t len;
  char bytes[4];  // the first bytes; the record runs on for len bytes
  std::string_view view() const { return {bytes, len}; }
  static std::size_t size_for(std::size_t len) { return std::max(sizeof(KeyRecord), offsetof(KeyRecord, bytes) + len); }
};

template <class Hash = StringHash>
struct StrKeys {
  using Key = std::string_view;
  static constexpr bool kStrings = true;
  static constexpr unsigned kTagShift = 48;
  static constexpr std::uint64_t kAddressMask = (std::uint64_t{1} << kTagShift) - 1;
  static const KeyRecord* record(std::uint64_t word) { return reinterpret_cast<const KeyRecord*>(word & kAddressMask); }
  static std::uint64_t hash(Key k) { return Hash{}(k); }
  static bool matches(std::uint64_t word, Key k, std::uint64_t h) {
    if (((word ^ h) >> kTagShift) != 0 || !is_user_key(word)) return false;
    const KeyRecord* r = record(word);
    return r->hash == h && r->len == k.size() && std::memcmp(r->bytes, k.data(), k.size()) == 0;
  }
  static std::uint64_t hash_of_word(std::uint64_t word) { return record(word)->hash; }
  static std::uint64_t store(Key k, std::uint64_t h) {
    void* p = alloc::allocate(KeyRecord::size_for(k.size()), alignof(KeyRecord));
    auto* r = new (p) KeyRecord{h, static_cast<std::uint32_t>(k.size()), {}};
    std::memcpy(r->bytes, k.data(), k.size());
    const auto address = reinterpret_cast<std::uint64_t>(r);
    MB_DCHECK((address & ~kAddressMask) == 0);
    return address | (h >> kTagShift << kTagShift);
  }
  static void release(std::uint64_t word) {
    const KeyRecord* r = record(word);
    alloc::deallocate(const_cast<KeyRecord*>(r), KeyRecord::size_for(r->len));
  }
  static std::uint64_t key_bytes(std::uint64_t word) { return KeyRecord::size_for(record(word)->len); }
};

}  // namespace mapbench
