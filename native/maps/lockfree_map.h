// lockfree_map.h — open addressing with linear probing, keys claimed by
// compare-and-swap, no lock on any path: the fixed-capacity map
// (LockFreeMap, design `lockfree` presized) and the freeze variant of online
// growth (FreezingLockFreeMap, design `lockfree-freeze`), kept to be
// measured against the lock-free migration of migrating_lockfree_map.h
// (design `lockfree` when it grows).
//
// Layout: a line-aligned array of 16-byte slots, four per 64-byte line,
// behind an atomic pointer that a migration swings to the next table:
//
//   table_ ──► Table { capacity, slots*, migration state, stripes[16] }
//                 └──► [k|v][k|v][k|v][k|v] | ...
//                      <---- 64 B line ---->
//
// Each slot is two independent 8-byte atomics: `key` and `cell`. `cell`
// stores value + 1, so 0 means "absent" and an all-zero slot is empty.
// No 16-byte CAS is used (with GCC a 16-byte std::atomic calls libatomic and
// is not lock-free), so no -mcx16 is needed.
//
// Invariants (of one table)
//  1. A slot's key goes from kEmptyKey to a user key exactly once (CAS) and
//     never changes again: erase only empties the cell. So a slot's key,
//     once seen non-empty, is final.
//  2. A user key occupies at most one slot. (Two inserts of k probe the same
//     sequence and claim only a slot they saw empty; the loser of a CAS
//     re-reads the winner's key, and a slot passed as "other key" stays so
//     by 1 — so they cannot settle on different slots.)
//  3. Every slot between a key's home and its slot is non-empty (slots are
//     claimed in probe order and never emptied), so a probe that meets an
//     empty key slot proves the key absent.
//  4. The number of claimed key slots only grows; "tombstones" are claimed
//     slots whose cell is 0. Without growth a key space of at most capacity-1
//     distinct keys never fills the table; beyond that insert returns kFull.
//  5. (growing maps) No write lands in a table once its migration has
//     drained (phase >= kCopying); the table_ pointer moves to the next
//     table only after every stride has been copied.
//
// Growth (FreezingLockFreeMap only; LockFreeMap is the fixed-capacity map
// exactly as above, whose operations take no pin and count nothing). Load = claimed slots (live + tombstones) /
// capacity. When a claim makes it pass max_load_factor, the claiming writer installs a migration on the table:
//   phase kNormal -> kDraining   CAS by the installer; from here writers do
//                                not start on this table, they help and wait;
//   (installer) waits until no writer is in flight on the table (per-stripe
//                                in-flight counters reach 0), then sizes the
//                                next table from the exact live count: twice
//                                the capacity if live > half the threshold,
//                                else the same capacity (a churned table is
//                                rehashed in place: tombstones are dropped),
//                                and publishes it with the stride count;
//   phase kCopying               every writer that arrives (and the
//                                installer) claims strides of kStride slots by
//                                CAS on `transfer_index` (Java
//                                ConcurrentHashMap's transferIndex) and copies
//                                their live entries; the one that completes
//                                the last stride stores table_ = next
//                                (release), and retires the old table to the
//                                map's EBR domain (native/maps/ebr.h).
// get never blocks and never looks at the phase: the old table stays
// authoritative until table_ moves — during draining it is still written,
// and from kCopying on it is frozen (invariant 5), so a get that reads it
// returns the value current at some instant inside its call.
//
// Why a table-wide freeze rather than a per-slot "moved" mark in the cell:
// the cell has no spare value — it stores value + 1 for every user value in
// [0, 2^64-2], i.e. all of 1..2^64-1, and 0 is "absent" — so a moved mark
// would have to live in the key word, which writers do not CAS; a writer
// that found its slot before the mark could then still CAS the cell after
// the mover read it (the lost-update race). And with linear probing a key's
// probe run can span strides, so per-stride redirection would also have to
// reconcile inserts racing into the old run's empty slots. The drain makes
// the race impossible by construction: a writer either increments its
// stripe's in_flight before the installer's phase CAS is visible to it —
// then the installer waits for it, so its write lands before any stride is
// copied, and the mover copies it — or it sees the phase (Dekker: its
// increment and the installer's CAS are seq_cst, each then loads the
// other's word), backs out without writing, helps, and retries on the new
// table once table_ has moved.
//
// Memory ordering
//  - Key claim: CAS(empty -> k) with acq_rel; the failure path loads acquire.
//    Readers load keys with acquire. (Keys carry no payload, so this only
//    orders the later cell access after seeing the key.)
//  - Cell writes (insert's exchange, update's and erase's CAS) are acq_rel,
//    cell reads are acquire: whoever reads a value also sees everything its
//    writer did before writing it (message-passing through the map).
//  - Migration: in_flight increment and phase CAS/load are seq_cst (the
//    Dekker pair above); in_flight decrement is release and the drain loads
//    acquire, so drained writes happen-before the copy. Copies into the next
//    table are then published by the acq_rel chain on strides_done and the
//    release store of table_, which every operation loads with acquire.
//  - Reclamation: every operation on a growing map runs under an ebr::Guard
//    (0.9 ns uncontended, see ebr.h), so a table retired after table_ moved
//    is freed only when no operation that could have loaded it is still in
//    its Guard. Fixed-capacity maps never retire a table and take no Guard.
//  - Linearisation points: get at its cell load (or at the key load that
//    found an empty slot); insert at its cell exchange; update and erase at
//    their successful CAS (or at the cell load that saw 0). A get that read a
//    frozen table after table_ moved linearises just before the move.
//  - Batches (for_batch, get_batch, ...; fixed-capacity map): each op of a
//    batch linearizes at its own load or CAS, exactly as above, in the
//    batch's order; the batch only prefetches lines before probing.
// Progress
//  - get: wait-free, at most `capacity` probes, on every map.
//  - insert/update/erase: lock-free outside migrations; a CAS fails only
//    because another thread's operation succeeded. During a migration they
//    block (like Java ConcurrentHashMap's writers on a bin being moved):
//    they help copy strides and then wait for the last stride, and the
//    installer waits for in-flight writers to finish — a writer preempted
//    mid-operation delays the migration by its preemption.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "maps/ebr.h"
#include "maps/open_table.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"
#include "runtime/tsc.h"

namespace mapbench {

// Migration statistics shared by every growing design's diagnostics.
struct MigrationStats {
  std::uint64_t migrations = 0;           // tables moved (growths and in-place rehashes)
  std::uint64_t ticks_total = 0;          // TSC ticks, install to last entry moved, summed
  std::uint64_t ticks_max = 0;            // the longest single migration
  std::uint64_t peak_table_bytes = 0;     // largest old + new table bytes during a move (or the table alone)
  std::vector<std::uint64_t> ticks_each;  // the first MigrationLog::kKept migrations' ticks, in order
};

// Every migration's duration, recorded by whoever finishes it (any thread,
// at most once per migration, never on an op that did not migrate): all are
// counted, summed and maxed; the first kKept are kept one by one.
class MigrationLog {
 public:
  static constexpr std::size_t kKept = 4096;
  void record(std::uint64_t ticks) {
    const std::uint64_t n = count_.fetch_add(1, std::memory_order_relaxed);
    if (n < kKept) kept_[n].store(ticks, std::memory_order_relaxed);
    total_.fetch_add(ticks, std::memory_order_relaxed);
    std::uint64_t max = max_.load(std::memory_order_relaxed);
    while (ticks > max && !max_.compare_exchange_weak(max, ticks, std::memory_order_relaxed)) {
    }
  }
  // Exact when quiescent (diagnostics).
  MigrationStats stats(std::uint64_t peak_table_bytes) const {
    MigrationStats m;
    m.migrations = count_.load(std::memory_order_relaxed);
    m.ticks_total = total_.load(std::memory_order_relaxed);
    m.ticks_max = max_.load(std::memory_order_relaxed);
    m.peak_table_bytes = peak_table_bytes;
    const std::size_t kept = static_cast<std::size_t>(std::min<std::uint64_t>(m.migrations, kKept));
    for (std::size_t i = 0; i < kept; ++i) m.ticks_each.push_back(kept_[i].load(std::memory_order_relaxed));
    return m;
  }

 private:
  std::atomic<std::uint64_t> count_{0}, total_{0}, max_{0};
  std::unique_ptr<std::atomic<std::uint64_t>[]> kept_ { new std::atomic<std::uint64_t>[ kKept ]() };
};

// What both lock-free table families share about their Table headers
// (each with `capacity`, `slots`, `pages` and `stripes[]`).
namespace lockfree_tables {
template <class Table>
void free_table(Table* t) {
  alloc::Pages& pages = *t->pages;
  pages.free_table(t->slots, t->capacity * sizeof(*t->slots));
  t->~Table();
  pages.deallocate(t, sizeof(Table));
}
// The stripe a thread counts in, fixed for the thread's life.
template <class Table>
auto& stripe_of(Table* t) {
  static std::atomic<std::uint32_t> next_index{0};
  thread_local std::uint32_t index = next_index.fetch_add(1, std::memory_order_relaxed);
  return t->stripes[index % std::size(t->stripes)];
}
}  // namespace lockfree_tables

// kGrowable is a type parameter, not a flag, so that the fixed-capacity map's
// loops carry no trace of growth (LockFreeMap and FreezingLockFreeMap below).
template <bool kGrowable>
class BasicLockFreeMap {
 public:
  struct alignas(16) Slot {
    std::atomic<std::uint64_t> key;   // invariant 1
    std::atomic<std::uint64_t> cell;  // value + 1; 0 = absent
  };
  static_assert(sizeof(Slot) == 16);
  static_assert(kCacheLine % sizeof(Slot) == 0, "slots never straddle a line");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "8-byte atomics must be lock-free");

  // Slots per migration stride: 1024 x 16 B = 16 KiB, large enough that the
  // CAS on transfer_index is rare, small enough that two helpers share a
  // 64K-slot table.
  static constexpr std::size_t kStride = 1024;
  // Writers count in one of kStripes padded stripes (by thread), so that
  // in-flight and claim counting do not put every writer on one line.
  static constexpr std::size_t kStripes = 16;

  struct alignas(kCacheLine) Stripe {
    std::atomic<std::int64_t> in_flight{0};  // writers between their phase check and their exit
    std::atomic<std::int64_t> claimed{0};    // key slots claimed through this stripe
    std::atomic<std::int64_t> live{0};       // inserts of absent keys minus successful erases
  };
  static_assert(sizeof(Stripe) == kCacheLine);

  enum Phase : int { kNormal = 0, kDraining = 1, kCopying = 2, kMoved = 3 };

  struct Table {
    std::size_t capacity;      // immutable
    Slot* slots;               // immutable pointer; slot contents per invariants
    alloc::Pages* pages;       // immutable: placed this table, frees it
    std::int64_t grow_at;      // immutable: claimed slots beyond which to migrate (INT64_MAX: never)
    std::int64_t check_every;  // immutable: a stripe sums all stripes every this many claims
    // Migration state: phase moves forward only (see the header).
    alignas(kCacheLine) std::atomic<int> phase{kNormal};
    std::atomic<Table*> next{nullptr};           // published (release) before phase kCopying
    std::atomic<std::size_t> transfer_index{0};  // strides not yet claimed; CAS to claim
    std::atomic<std::size_t> strides_done{0};    // acq_rel chain that publishes the copies
    std::size_t strides = 0;                     // written before phase kCopying (release)
    std::uint64_t start_tick = 0;                // installer only
    Stripe stripes[kStripes];
  };

  // Requires: capacity >= 2 and a multiple of kSlotsPerLine; max_load_factor
  // 0 when fixed, in (0, 1) when growing.
  BasicLockFreeMap(alloc::Pages& pages, std::size_t capacity, double max_load_factor)
      : pages_(pages), max_load_factor_(max_load_factor) {
    MB_DCHECK(capacity >= 2 && capacity % kSlotsPerLine == 0);
    MB_DCHECK(kGrowable ? max_load_factor > 0 && max_load_factor < 1 : max_load_factor == 0);
    Table* t = new_table(capacity);
    peak_table_bytes_.store(table_bytes(t), std::memory_order_relaxed);
    table_.store(t, std::memory_order_release);
  }
  BasicLockFreeMap(const BasicLockFreeMap&) = delete;
  BasicLockFreeMap& operator=(const BasicLockFreeMap&) = delete;
  // Requires: no operation in progress. Retired tables go with domain_.
  ~BasicLockFreeMap() { free_table(table_.load(std::memory_order_acquire)); }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    if constexpr (kGrowable) {
      const ebr::detail::PinToken pin = ebr::detail::pin();
      const bool hit = get_in(table_.load(std::memory_order_acquire), key, value, sink);
      ebr::detail::unpin(pin);
      return hit;
    } else {
      return get_in(table_.load(std::memory_order_acquire), key, value, sink);
    }
  }

  // Insert-or-assign.
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    if constexpr (!kGrowable) {
      Slot* s = claim(table_.load(std::memory_order_acquire), key, sink, nullptr);
      if (!s) return Status::kFull;
      std::uint64_t old = s->cell.exchange(value + 1, std::memory_order_acq_rel);
      return old == 0 ? Status::kInserted : Status::kAssigned;
    }
    return static_cast<Status>(write([&](Table* t, Stripe& st, bool* migrate) -> int {
      bool claimed_new = false;
      Slot* s = claim(t, key, sink, &claimed_new);
      if (!s) {
        *migrate = true;
        return -1;  // genuinely full before the threshold check caught up: retry after moving
      }
      if (claimed_new) *migrate = note_claim(t, st);
      std::uint64_t old = s->cell.exchange(value + 1, std::memory_order_acq_rel);
      if (old == 0) st.live.fetch_add(1, std::memory_order_relaxed);
      return static_cast<int>(old == 0 ? Status::kInserted : Status::kAssigned);
    }));
  }

  // Assign only if present.
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    auto op = [&](Table* t) { return assign_cell(find(t, key, sink), value + 1, sink); };
    if constexpr (!kGrowable) return op(table_.load(std::memory_order_acquire));
    return write([&](Table* t, Stripe&, bool*) -> int { return op(t) ? 1 : 0; }) == 1;
  }

  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    auto op = [&](Table* t) { return assign_cell(find(t, key, sink), 0, sink); };
    if constexpr (!kGrowable) return op(table_.load(std::memory_order_acquire));
    return write([&](Table* t, Stripe& st, bool*) -> int {
             if (!op(t)) return 0;
             st.live.fetch_sub(1, std::memory_order_relaxed);
             return 1;
           }) == 1;
  }

  // Batched operations (fixed-capacity map only; a growing map's batches
  // run op by op, see native/maps/batch.h). for_batch(keys, n, op) takes
  // the keys in groups of kBatchGroup: it hashes every key of a group and
  // prefetches its home line — and the next line when the home is in the
  // second half of its line, where a probe run most often crosses — then
  // calls op(i, home) for each key in order, which runs the single op from
  // that home (get_at, insert_at, ...). Nothing is held across a group and
  // no op waits for another: each op of a batch still linearizes at its own
  // load or CAS (Memory ordering, above), in the batch's order, so a batch
  // is the same sequence of operations as a per-op loop with its misses
  // overlapped. A prefetch is only a hint: it reads nothing the op relies on.
  // 16 groups keep about as many line misses in flight as one core tracks
  // (Zen 4 and Sapphire Rapids: 16-24 L1 fill buffers) with at most two
  // lines per key.
  static constexpr std::size_t kBatchGroup = 16;
  using Home = std::size_t;

  template <class Op>
  void for_batch(const std::uint64_t* keys, std::size_t n, Op op) const requires(!kGrowable) {
    const Table* t = table_.load(std::memory_order_acquire);
    for (std::size_t base = 0; base < n; base += kBatchGroup) {
      const std::size_t m = std::min(kBatchGroup, n - base);
      Home homes[kBatchGroup];
      for (std::size_t j = 0; j < m; ++j) {
        homes[j] = reduce_range(hash_key(keys[base + j]), t->capacity);
        prefetch_home(t, homes[j]);
      }
      for (std::size_t j = 0; j < m; ++j) op(base + j, homes[j]);
    }
  }
  template <class Sink = NoStats>
  bool get_at(Home home, std::uint64_t key, std::uint64_t* value, Sink& sink) const requires(!kGrowable) {
    return get_from(table_.load(std::memory_order_acquire), home, key, value, sink);
  }
  template <class Sink = NoStats>
  Status insert_at(Home home, std::uint64_t key, std::uint64_t value, Sink& sink) requires(!kGrowable) {
    Slot* s = claim_from(table_.load(std::memory_order_acquire), home, key, sink, nullptr);
    if (!s) return Status::kFull;
    std::uint64_t old = s->cell.exchange(value + 1, std::memory_order_acq_rel);
    return old == 0 ? Status::kInserted : Status::kAssigned;
  }
  template <class Sink = NoStats>
  bool update_at(Home home, std::uint64_t key, std::uint64_t value, Sink& sink) requires(!kGrowable) {
    return assign_cell(find_from(table_.load(std::memory_order_acquire), home, key, sink), value + 1, sink);
  }
  template <class Sink = NoStats>
  bool erase_at(Home home, std::uint64_t key, Sink& sink) requires(!kGrowable) {
    return assign_cell(find_from(table_.load(std::memory_order_acquire), home, key, sink), 0, sink);
  }
  // get_batch: hits[i] says whether keys[i] was found, values[i] its value
  // (untouched on a miss). insert_batch: out[i] as insert's. update_batch:
  // out[i] as update's.
  template <class Sink = NoStats>
  void get_batch(const std::uint64_t* keys, std::size_t n, std::uint64_t* values, bool* hits, Sink& sink) const
      requires(!kGrowable) {
    for_batch(keys, n, [&](std::size_t i, Home h) { hits[i] = get_at(h, keys[i], &values[i], sink); });
  }
  template <class Sink = NoStats>
  void insert_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, Status* out,
                    Sink& sink) requires(!kGrowable) {
    for_batch(keys, n, [&](std::size_t i, Home h) { out[i] = insert_at(h, keys[i], values[i], sink); });
  }
  template <class Sink = NoStats>
  void update_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, bool* out,
                    Sink& sink) requires(!kGrowable) {
    for_batch(keys, n, [&](std::size_t i, Home h) { out[i] = update_at(h, keys[i], values[i], sink); });
  }

  // Live entries; exact when no writer runs, otherwise an approximation.
  std::size_t size() const {
    std::size_t n = 0;
    for_each_slot([&](std::uint64_t, std::uint64_t c) { n += c != 0; });
    return n;
  }

  // f(key, cell) for every claimed slot (cell 0 = tombstone) of the current
  // table. Requires: no migration in progress (diagnostics, verification).
  template <class F>
  void for_each_slot(F f) const {
    Pin pin(*this);
    const Table* t = table_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < t->capacity; ++i) {
      std::uint64_t k = t->slots[i].key.load(std::memory_order_acquire);
      if (k != kEmptyKey) f(k, t->slots[i].cell.load(std::memory_order_acquire));
    }
  }

  // f(displacement) for every claimed slot, for probe-length diagnostics.
  template <class F>
  void for_each_displacement(F f) const {
    Pin pin(*this);
    const Table* t = table_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < t->capacity; ++i) {
      std::uint64_t k = t->slots[i].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) continue;
      std::size_t home = reduce_range(hash_key(k), t->capacity);
      f(i >= home ? i - home : i + t->capacity - home);
    }
  }

  std::size_t capacity() const {
    Pin pin(*this);
    return table_.load(std::memory_order_acquire)->capacity;
  }
  static constexpr bool growable() { return kGrowable; }
  MigrationStats migration_stats() const { return log_.stats(peak_table_bytes_.load(std::memory_order_relaxed)); }
  // Old tables retired and freed so far (both equal once quiescent and collected).
  std::uint64_t tables_retired() const { return domain_.retired(); }
  std::uint64_t tables_freed() const { return domain_.reclaimed(); }
  void collect() { domain_.collect(); }

 private:
  // An ebr::Guard on growing maps only: fixed-capacity maps never retire a
  // table, so their operations pay one predictable branch instead.
  class Pin {
   public:
    explicit Pin(const BasicLockFreeMap&) : token_(kGrowable ? ebr::detail::pin() : ebr::detail::kNestedPin) {}
    ~Pin() { ebr::detail::unpin(token_); }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    const ebr::detail::PinToken token_;
  };

  static std::size_t table_bytes(const Table* t) { return t->capacity * sizeof(Slot); }

  Table* new_table(std::size_t capacity) const {
    Table* t = new (pages_.allocate(sizeof(Table), alignof(Table))) Table();
    t->capacity = capacity;
    t->pages = &pages_;
    // allocate_table returns zeroed memory: every slot starts empty/absent.
    t->slots = static_cast<Slot*>(pages_.allocate_table(capacity * sizeof(Slot)));
    if constexpr (kGrowable) {
      t->grow_at = static_cast<std::int64_t>(std::floor(max_load_factor_ * static_cast<double>(capacity)));
      // Threshold lag is at most kStripes * check_every <= capacity / 64 claims.
      t->check_every = std::max<std::int64_t>(1, static_cast<std::int64_t>(capacity / (64 * kStripes)));
    } else {
      t->grow_at = std::numeric_limits<std::int64_t>::max();
      t->check_every = std::numeric_limits<std::int64_t>::max();
    }
    return t;
  }
  static void free_table(Table* t) { lockfree_tables::free_table(t); }
  static Stripe& my_stripe(Table* t) { return lockfree_tables::stripe_of(t); }

  // Counts a claim; true when the table has just passed its threshold.
  static bool note_claim(Table* t, Stripe& st) {
    const std::int64_t mine = st.claimed.fetch_add(1, std::memory_order_relaxed) + 1;
    if (mine % t->check_every != 0) return false;
    std::int64_t total = 0;
    for (const Stripe& s : t->stripes) total += s.claimed.load(std::memory_order_relaxed);
    return total > t->grow_at;
  }

  // Runs op(t, stripe, &migrate) as one write on the current table of a
  // growing map: in flight on the table, or helping its migration and
  // retrying on the next. op returns its result (>= 0), or -1 to be retried
  // after a migration (the table was full); it sets migrate when its claim
  // passed the threshold.
  template <class Op>
  int write(Op op) {
    for (;;) {
      ebr::Guard guard(domain_);
      Table* t = table_.load(std::memory_order_acquire);
      Stripe& st = my_stripe(t);
      // Dekker with the installer's phase CAS: see the header.
      st.in_flight.fetch_add(1, std::memory_order_seq_cst);
      if (t->phase.load(std::memory_order_seq_cst) != kNormal) {
        st.in_flight.fetch_sub(1, std::memory_order_release);
        help_migrate(t);
        continue;
      }
      bool migrate = false;
      const int r = op(t, st, &migrate);
      st.in_flight.fetch_sub(1, std::memory_order_release);
      if (migrate) {
        start_migration(t);
        help_migrate(t);
      }
      if (r >= 0) return r;
    }
  }

  void start_migration(Table* t) {
    int expected = kNormal;
    if (!t->phase.compare_exchange_strong(expected, kDraining, std::memory_order_seq_cst)) return;
    t->start_tick = tsc::now();
    // Drain: every writer that missed the phase finishes its write first.
    for (std::uint32_t spins = 0;;) {
      std::int64_t busy = 0;
      for (const Stripe& s : t->stripes) busy += s.in_flight.load(std::memory_order_seq_cst);
      if (busy == 0) break;
      backoff(spins);
    }
    // The table is frozen: the live count is exact now.
    std::int64_t live = 0;
    for (const Stripe& s : t->stripes) live += s.live.load(std::memory_order_relaxed);
    const std::size_t cap = t->capacity;
    const bool grow = live > t->grow_at / 2 || static_cast<std::size_t>(live) + 1 >= cap;
    Table* nt = new_table(grow ? cap * 2 : cap);
    const std::uint64_t both = table_bytes(t) + table_bytes(nt);
    std::uint64_t peak = peak_table_bytes_.load(std::memory_order_relaxed);
    while (both > peak && !peak_table_bytes_.compare_exchange_weak(peak, both, std::memory_order_relaxed)) {
    }
    t->strides = (cap + kStride - 1) / kStride;
    t->transfer_index.store(t->strides, std::memory_order_relaxed);
    t->next.store(nt, std::memory_order_relaxed);
    t->phase.store(kCopying, std::memory_order_release);  // publishes next, strides, transfer_index
  }

  // Helps t's migration until its last stride is claimed, then waits for
  // table_ to move on. Requires: the caller holds a Guard and t->phase is
  // past kNormal.
  void help_migrate(Table* t) {
    for (std::uint32_t spins = 0; t->phase.load(std::memory_order_acquire) == kDraining;) backoff(spins);
    Table* nt = t->next.load(std::memory_order_acquire);
    std::size_t i = t->transfer_index.load(std::memory_order_acquire);
    while (i > 0) {
      if (!t->transfer_index.compare_exchange_weak(i, i - 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;
      copy_stride(t, nt, i - 1);
      if (t->strides_done.fetch_add(1, std::memory_order_acq_rel) + 1 == t->strides) finish_migration(t, nt);
      i = t->transfer_index.load(std::memory_order_acquire);
    }
    for (std::uint32_t spins = 0; table_.load(std::memory_order_acquire) == t;) backoff(spins);
  }

  // Waits politely for another thread (which may be preempted: the machine
  // may have fewer cores than threads): pause first, then yield.
  static void backoff(std::uint32_t& spins) {
    if (++spins < 1024)
      cpu_relax();
    else
      std::this_thread::yield();
  }

  // Copies stride `index` of the frozen table t into nt (visible to no
  // reader yet; other movers claim its slots by CAS).
  void copy_stride(Table* t, Table* nt, std::size_t index) {
    const std::size_t begin = index * kStride;
    const std::size_t end = std::min(t->capacity, begin + kStride);
    std::int64_t moved = 0;
    for (std::size_t j = begin; j < end; ++j) {
      const std::uint64_t k = t->slots[j].key.load(std::memory_order_acquire);
      if (k == kEmptyKey) continue;
      const std::uint64_t c = t->slots[j].cell.load(std::memory_order_acquire);
      if (c == 0) continue;  // a tombstone: dropped by the move
      std::size_t i = reduce_range(hash_key(k), nt->capacity);
      for (;;) {
        std::uint64_t expected = kEmptyKey;
        Slot& s = nt->slots[i];
        if (s.key.load(std::memory_order_relaxed) == kEmptyKey &&
            s.key.compare_exchange_strong(expected, k, std::memory_order_acq_rel, std::memory_order_relaxed)) {
          s.cell.store(c, std::memory_order_relaxed);  // published by strides_done and table_
          break;
        }
        if (++i == nt->capacity) i = 0;
      }
      moved += 1;
    }
    Stripe& st = nt->stripes[index % kStripes];
    st.claimed.fetch_add(moved, std::memory_order_relaxed);
    st.live.fetch_add(moved, std::memory_order_relaxed);
  }

  void finish_migration(Table* t, Table* nt) {
    const std::uint64_t ticks = tsc::now() - t->start_tick;
    table_.store(nt, std::memory_order_release);
    t->phase.store(kMoved, std::memory_order_release);
    log_.record(ticks);
    domain_.retire(t, [](void* p) { free_table(static_cast<Table*>(p)); });
    domain_.collect();
  }

  template <class Sink>
  static bool get_in(const Table* t, std::uint64_t key, std::uint64_t* value, Sink& sink) {
    return get_from(t, reduce_range(hash_key(key), t->capacity), key, value, sink);
  }
  template <class Sink>
  static bool get_from(const Table* t, std::size_t home, std::uint64_t key, std::uint64_t* value, Sink& sink) {
    const Slot* s = find_from(t, home, key, sink);
    if (!s) return false;
    const std::uint64_t c = s->cell.load(std::memory_order_acquire);
    if (c == 0) return false;
    *value = c - 1;
    return true;
  }

  // update and erase from a found slot: CAS a live cell to `cell` (value + 1,
  // or 0 to erase); false when the slot is absent or its cell is 0.
  template <class Sink>
  static bool assign_cell(Slot* s, std::uint64_t cell, Sink& sink) {
    if (!s) return false;
    std::uint64_t c = s->cell.load(std::memory_order_acquire);
    while (c != 0) {
      if (s->cell.compare_exchange_weak(c, cell, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
      sink.cas_failure();
    }
    return false;
  }

  static void prefetch_home(const Table* t, std::size_t home) {
    const Slot* s = &t->slots[home];
    __builtin_prefetch(s);
    const std::size_t next = (home | (kSlotsPerLine - 1)) + 1;  // first slot of the following line
    if (home % kSlotsPerLine >= kSlotsPerLine / 2 && next < t->capacity) __builtin_prefetch(&t->slots[next]);
  }

  // Finds the slot holding `key` in t (nullptr when absent).
  template <class Sink>
  static Slot* find(const Table* t, std::uint64_t key, Sink& sink) {
    return find_from(t, reduce_range(hash_key(key), t->capacity), key, sink);
  }
  // The same probe from a home computed earlier (batched operations).
  template <class Sink>
  static Slot* find_from(const Table* t, std::size_t i, std::uint64_t key, Sink& sink) {
    const std::size_t cap = t->capacity;
    std::uint32_t probes = 1;
    for (; probes <= cap; ++probes) {
      Slot& s = t->slots[i];
      const std::uint64_t k = s.key.load(std::memory_order_acquire);
      if (k == key) {
        sink.probe(probes, true);
        return &s;
      }
      if (k == kEmptyKey) {
        sink.probe(probes, false);
        return nullptr;
      }
      if (++i == cap) i = 0;
    }
    sink.probe(static_cast<std::uint32_t>(cap), false);
    return nullptr;
  }

  // Returns the slot holding `key` in t, claiming the first empty one on its
  // probe path if needed (*claimed_new = true); nullptr when every slot
  // holds another key.
  template <class Sink>
  static Slot* claim(const Table* t, std::uint64_t key, Sink& sink, bool* claimed_new) {
    return claim_from(t, reduce_range(hash_key(key), t->capacity), key, sink, claimed_new);
  }
  template <class Sink>
  static Slot* claim_from(const Table* t, std::size_t i, std::uint64_t key, Sink& sink, bool* claimed_new) {
    for (std::uint32_t probes = 1; probes <= t->capacity; ++probes) {
      Slot& s = t->slots[i];
      std::uint64_t k = s.key.load(std::memory_order_acquire);
      if (k == kEmptyKey) {
        if (s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel, std::memory_order_acquire)) {
          sink.probe(probes, false);
          if (claimed_new) *claimed_new = true;
          return &s;
        }
        sink.cas_failure();  // k now holds the winner's key (invariant 1)
      }
      if (k == key) {
        sink.probe(probes, true);
        return &s;
      }
      if (++i == t->capacity) i = 0;
    }
    return nullptr;
  }

  alloc::Pages& pages_;                             // places every table; outlives the map and domain_
  const double max_load_factor_;                    // 0 = fixed capacity
  mutable ebr::Domain domain_;                      // retired tables; declared before table_'s users
  std::atomic<Table*> table_;                       // published with release; read with acquire (under a Pin)
  MigrationLog log_;                                // every migration's duration (diagnostics)
  std::atomic<std::uint64_t> peak_table_bytes_{0};  // relaxed: diagnostics
};

// The fixed-capacity map (as benchmarked by default) and the freeze variant
// of the growing one (design lockfree-freeze; `lockfree` grows through
// migrating_lockfree_map.h).
class LockFreeMap final : public BasicLockFreeMap<false> {
 public:
  LockFreeMap(alloc::Pages& pages, std::size_t capacity) : BasicLockFreeMap<false>(pages, capacity, 0) {}
};
class FreezingLockFreeMap final : public BasicLockFreeMap<true> {
 public:
  FreezingLockFreeMap(alloc::Pages& pages, std::size_t capacity, double max_load_factor)
      : BasicLockFreeMap<true>(pages, capacity, max_load_factor) {}
};

}  // namespace mapbench
