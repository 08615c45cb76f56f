// open_table.h — the single-threaded open-addressing core under every
// lock-based design (mutex, rwlock, spin, sharded), so that those designs
// differ only in their concurrency control. BasicOpenTable<P> takes its key
// type from a key policy (key_policy.h): OpenTable holds 64-bit keys in the
// slot, StrOpenTable the address of the key's record (the slot layout is the
// same; a string lookup compares the record's hash before its bytes).
//
// Layout: one line-aligned array of 16-byte slots {key, value}, four per
// 64-byte line. The home slot of a key is reduce_range(hash, capacity);
// lookups probe linearly (wrapping), so Knuth's linear-probing analysis
// applies: expected probes ½(1+1/(1−α)) for a hit, ½(1+1/(1−α)²) for a miss.
//
//   slots: [k|v][k|v][k|v][k|v] | [k|v][k|v][k|v][k|v] | ...
//          <------ 64 B line ---> <------ 64 B line --->
//
// Invariants (hold between operations; the caller's lock provides mutual
// exclusion — this class has no synchronisation of its own):
//  1. size_ == number of slots holding a user key; tombstones_ == number of
//     slots holding kTombstoneKey; size_ + tombstones_ <= capacity_ - 1, so
//     at least one slot stays empty and unsuccessful probes terminate.
//  2. Each user key occupies at most one slot, and every slot between its
//     home slot and its position (in probe order) is non-empty.
//  3. Erase writes a tombstone (never an empty slot), preserving 2.
//  4. When tombstones reach 1/16 of capacity, or invariant 1 would break,
//     the table is rehashed in place (same capacity, tombstones dropped);
//     if it is genuinely full and growth is allowed it doubles, otherwise
//     insert returns kFull. Each rehash counts in `rehashes_`.
//  5. With a max load factor (growth by threshold), an insert into an empty
//     slot that would bring size_ + tombstones_ past floor(max_load_factor x
//     capacity) first rehashes: to twice the capacity when the live keys
//     exceed half that threshold, else in place (a churned table sheds its
//     tombstones at the same capacity). The whole move happens inside the
//     caller's critical section: stop-the-world for that table, timed in
//     ticks for the diagnostics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "maps/key_policy.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/tsc.h"

namespace mapbench {

struct TableSlot {
  std::uint64_t key;
  std::uint64_t value;
};
static_assert(sizeof(TableSlot) == 16);
inline constexpr std::size_t kSlotsPerLine = kCacheLine / sizeof(TableSlot);  // 64 / 16 = 4

// Diagnostics shared by all designs (each fills what applies to it).
struct ProbeHistogram {
  // counts[i] = keys whose probe length (displacement + 1) is i + 1;
  // the last bucket collects everything longer.
  static constexpr std::size_t kBuckets = 64;
  std::uint64_t counts[kBuckets] = {};
  void add(std::uint64_t probe_len) {
    std::size_t i = probe_len == 0 ? 0 : std::min<std::uint64_t>(probe_len, kBuckets) - 1;
    counts[i] += 1;
  }
  void merge(const ProbeHistogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
  }
};

template <class P>
class BasicOpenTable {
 public:
  using Key = typename P::Key;
  BasicOpenTable() = default;
  BasicOpenTable(std::size_t capacity, alloc::Pages& pages, bool growable, double max_load_factor = 0) {
    init(capacity, pages, growable, max_load_factor);
  }
  BasicOpenTable(const BasicOpenTable&) = delete;
  BasicOpenTable& operator=(const BasicOpenTable&) = delete;
  ~BasicOpenTable() {
    if constexpr (P::kStrings)
      for (std::size_t i = 0; slots_ && i < capacity_; ++i)
        if (is_user_key(slots_[i].key)) P::release(slots_[i].key);
    if (owns_slots_) pages_->free_table(slots_, capacity_ * sizeof(TableSlot));
  }

  // Requires: capacity >= 2; max_load_factor 0 (grow only when full) or in
  // (0, 1) with growable; called once, before any other member.
  // `pages` places the slot arrays and outlives the table.
  void init(std::size_t capacity, alloc::Pages& pages, bool growable, double max_load_factor = 0) {
    MB_DCHECK(capacity >= 2 && slots_ == nullptr);
    capacity_ = capacity;
    pages_ = &pages;
    growable_ = growable;
    set_max_load_factor(max_load_factor);
    slots_ = static_cast<TableSlot*>(pages_->allocate_table(capacity_ * sizeof(TableSlot)));
    owns_slots_ = true;
    peak_bytes_ = bytes();
  }

  // As init(), but the first slot array is borrowed (zeroed, line-aligned,
  // outliving this table): the sharded map carves every shard's table out
  // of one allocation. A rehash moves to memory of the table's own, placed
  // by `pages` like the first (small tables share its chunks, so they still
  // sit on huge pages when the policy asks for them).
  void init_borrowed(TableSlot* slots, std::size_t capacity, alloc::Pages& pages, bool growable,
                     double max_load_factor = 0) {
    MB_DCHECK(capacity >= 2 && slots_ == nullptr && slots != nullptr);
    capacity_ = capacity;
    pages_ = &pages;
    growable_ = growable;
    set_max_load_factor(max_load_factor);
    slots_ = slots;
    owns_slots_ = false;
    peak_bytes_ = bytes();
  }

  // All members require: key is a user key (a string key may be any bytes);
  // `hash` is P::hash(key). The home slot comes from hash << the hash shift
  // (see set_hash_shift).
  template <class Sink>
  bool get(Key key, std::uint64_t hash, std::uint64_t* value, Sink& sink) const {
    std::size_t i = home(hash);
    for (std::uint32_t probes = 1; probes <= capacity_; ++probes) {
      const TableSlot& s = slots_[i];
      if (P::matches(s.key, key, hash)) {
        *value = s.value;
        sink.probe(probes, true);
        return true;
      }
      if (s.key == kEmptyKey) {
        sink.probe(probes, false);
        return false;
      }
      if (++i == capacity_) i = 0;
    }
    sink.probe(static_cast<std::uint32_t>(capacity_), false);
    return false;
  }

  template <class Sink>
  Status insert(Key key, std::uint64_t hash, std::uint64_t value, Sink& sink) {
    Lookup at = find_for_insert(key, hash, sink);
    if (at.found) {
      slots_[at.index].value = value;
      return Status::kAssigned;
    }
    if (!at.reuses_tombstone && (size_ + tombstones_ + 1 > capacity_ - 1 || size_ + tombstones_ + 1 > grow_at_)) {
      // Placing into an empty slot would break invariant 1 (or pass the
      // threshold of invariant 5): make room first.
      if (!make_room()) return Status::kFull;
      at = find_for_insert(key, hash, sink);
    }
    TableSlot& s = slots_[at.index];
    if (at.reuses_tombstone) tombstones_ -= 1;
    s.key = P::store(key, hash);
    s.value = value;
    size_ += 1;
    return Status::kInserted;
  }

  template <class Sink>
  bool update(Key key, std::uint64_t hash, std::uint64_t value, Sink& sink) {
    std::size_t i;
    if (!find(key, hash, &i, sink)) return false;
    slots_[i].value = value;
    return true;
  }

  template <class Sink>
  bool erase(Key key, std::uint64_t hash, Sink& sink) {
    std::size_t i;
    if (!find(key, hash, &i, sink)) return false;
    P::release(slots_[i].key);  // the caller's lock keeps every reader out
    slots_[i].key = kTombstoneKey;
    size_ -= 1;
    tombstones_ += 1;
    if (tombstones_ >= capacity_ / 16 && tombstones_ > 0) rehash(capacity_);
    return true;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t tombstones() const { return tombstones_; }
  std::uint64_t rehashes() const { return rehashes_; }
  std::size_t bytes() const { return capacity_ * sizeof(TableSlot); }
  std::uint64_t migration_ticks_total() const { return migration_ticks_total_; }
  std::uint64_t migration_ticks_max() const { return migration_ticks_max_; }
  std::uint64_t peak_bytes() const { return peak_bytes_; }

  // Probe length of every stored key, for diagnostics.
  void probe_lengths(ProbeHistogram* out) const {
    for (std::size_t i = 0; i < capacity_; ++i) {
      std::uint64_t k = slots_[i].key;
      if (!is_user_key(k)) continue;
      std::size_t h = home(P::hash_of_word(k));
      std::size_t disp = i >= h ? i - h : i + capacity_ - h;
      out->add(disp + 1);
    }
  }

  // Bytes of the live keys' records beyond the slots (string keys; 0 for integers).
  std::uint64_t key_bytes() const {
    std::uint64_t n = 0;
    if constexpr (P::kStrings)
      for (std::size_t i = 0; i < capacity_; ++i)
        if (is_user_key(slots_[i].key)) n += P::key_bytes(slots_[i].key);
    return n;
  }

  // Visits every (key word, value); for verification and diagnostics.
  template <class F>
  void for_each(F f) const {
    for (std::size_t i = 0; i < capacity_; ++i)
      if (is_user_key(slots_[i].key)) f(slots_[i].key, slots_[i].value);
  }

  // Home slots come from hash << shift (a sharded map's shard drops the
  // bits that chose the shard); set once after construction. A shift, not a callback, keeps the table at 96 bytes, so
  // packed shard headers keep sharing lines.
  void set_hash_shift(unsigned shift) { hash_shift_ = static_cast<std::uint8_t>(shift); }

 private:
  struct Lookup {
    std::size_t index;
    bool found;
    bool reuses_tombstone;
  };

  std::size_t home(std::uint64_t hash) const { return reduce_range(hash << hash_shift_, capacity_); }

  template <class Sink>
  bool find(Key key, std::uint64_t hash, std::size_t* index, Sink& sink) const {
    std::size_t i = home(hash);
    std::uint32_t probes = 1;
    for (; probes <= capacity_; ++probes) {
      std::uint64_t k = slots_[i].key;
      if (P::matches(k, key, hash)) {
        *index = i;
        sink.probe(probes, true);
        return true;
      }
      if (k == kEmptyKey) break;
      if (++i == capacity_) i = 0;
    }
    sink.probe(probes, false);
    return false;
  }

  // Finds the key, or the slot a new key should take: the first tombstone
  // on the probe path, else the empty slot that ended it.
  template <class Sink>
  Lookup find_for_insert(Key key, std::uint64_t hash, Sink& sink) const {
    std::size_t i = home(hash);
    std::size_t first_tomb = capacity_;
    for (std::uint32_t probes = 1; probes <= capacity_; ++probes) {
      std::uint64_t k = slots_[i].key;
      if (P::matches(k, key, hash)) {
        sink.probe(probes, true);
        return {i, true, false};
      }
      if (k == kTombstoneKey && first_tomb == capacity_) first_tomb = i;
      if (k == kEmptyKey) {
        sink.probe(probes, false);
        if (first_tomb != capacity_) return {first_tomb, false, true};
        return {i, false, false};
      }
      if (++i == capacity_) i = 0;
    }
    // No empty slot (invariant 1 keeps one, so only a tombstone can be here).
    sink.probe(static_cast<std::uint32_t>(capacity_), false);
    return {first_tomb, false, first_tomb != capacity_};
  }

  void set_max_load_factor(double max_load_factor) {
    MB_DCHECK(max_load_factor == 0 || (growable_ && max_load_factor > 0 && max_load_factor < 1));
    max_load_factor_ = static_cast<float>(max_load_factor);
    grow_at_ = max_load_factor_ > 0 ? static_cast<std::size_t>(max_load_factor * static_cast<double>(capacity_))
                                    : ~std::size_t{0};
  }

  bool make_room() {
    if (max_load_factor_ > 0) {
      // Invariant 5: live keys above half the threshold double the table.
      rehash(size_ + 1 > grow_at_ / 2 ? capacity_ * 2 : capacity_);
      return true;
    }
    if (tombstones_ > 0) {
      rehash(capacity_);
      return true;
    }
    if (!growable_) return false;
    rehash(capacity_ * 2);
    return true;
  }

  void rehash(std::size_t new_capacity) {
    const std::uint64_t t0 = tsc::now();
    TableSlot* old = slots_;
    std::size_t old_capacity = capacity_;
    peak_bytes_ = std::max<std::uint64_t>(peak_bytes_, (old_capacity + new_capacity) * sizeof(TableSlot));
    slots_ = static_cast<TableSlot*>(pages_->allocate_table(new_capacity * sizeof(TableSlot)));
    capacity_ = new_capacity;
    tombstones_ = 0;
    for (std::size_t j = 0; j < old_capacity; ++j) {
      std::uint64_t k = old[j].key;
      if (!is_user_key(k)) continue;
      std::size_t i = home(P::hash_of_word(k));
      while (slots_[i].key != kEmptyKey)
        if (++i == capacity_) i = 0;
      slots_[i] = old[j];
    }
    if (owns_slots_) pages_->free_table(old, old_capacity * sizeof(TableSlot));
    owns_slots_ = true;
    rehashes_ += 1;
    set_max_load_factor(max_load_factor_);  // the threshold follows the capacity
    const std::uint64_t ticks = tsc::now() - t0;
    migration_ticks_total_ += ticks;
    migration_ticks_max_ = std::max(migration_ticks_max_, ticks);
  }

  TableSlot* slots_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t tombstones_ = 0;
  std::uint64_t rehashes_ = 0;
  std::uint64_t migration_ticks_total_ = 0;  // TSC ticks spent in rehash()
  std::uint64_t migration_ticks_max_ = 0;
  std::uint64_t peak_bytes_ = 0;           // largest old + new slot arrays held at once
  std::size_t grow_at_ = ~std::size_t{0};  // floor(max_load_factor_ x capacity_), invariant 5
  alloc::Pages* pages_ = nullptr;          // places slot arrays; outlives the table
  std::uint8_t hash_shift_ = 0;            // see set_hash_shift
  bool growable_ = false;
  bool owns_slots_ = false;    // false while slots_ is the borrowed first array
  float max_load_factor_ = 0;  // 0: rehash only when full or tombstone-heavy (float: packs beside the flags)
};

using OpenTable = BasicOpenTable<U64Keys>;
using StrOpenTable = BasicOpenTable<StrKeys<>>;

}  // namespace mapbench
