// migrating_lockfree_map.h — the growing lock-free map: open addressing with
// linear probing over the same 16-byte slots as LockFreeMap, whose
// migration to a larger (or same-sized, purged) table is itself lock-free:
// slots are frozen and moved one at a time by CAS, by any thread that meets
// them, and no operation ever waits for another thread.
//
// The design follows Cliff Click's NonBlockingHashMap (a slot state machine
// with "primed" values, a copy done in chunks by whoever touches the old
// table, a late copier's write made harmless by a never-reused empty state)
// and growt's "marked as copied, continue in the new table", on 8-byte words
// (no 16-byte CAS, which GCC does not make lock-free):
//
//   table_ ──► Table t { capacity, slots*, next ──► Table nt (or null), chunk cursor, ... }
//
// Words. A slot is `key` and `cell`, each an 8-byte atomic.
//   key:  0 (kEmptyKey) ─CAS─► user key k (>= 2)     claimed by an insert
//                      └CAS─► 1 (kSealed)           sealed by a migration
//         Either transition happens at most once; the key word is then final.
//   cell: 0 never written       (a claimed key whose insert has not written yet)
//         1 erased              (kErased: a tombstone, never 0 again)
//         v + 2                 live value v (so values are < 2^63 - 2)
//         kPrime | c, c >= 2    frozen: c is being copied to the next table
//         kPrime                (kMoved) nothing of this slot lives here any more
//   Transitions: 0/1/live ─CAS─► 1/live (writes: insert, update, erase);
//                0/1 ─CAS─► kMoved, live c ─CAS─► kPrime|c (a copier freezes);
//                kPrime|c ──► kMoved (a copier, after c is in the next table).
//   Nothing leaves kMoved, and only copiers touch a frozen cell.
//
// Invariants (per table t)
//  1. Keys are final once non-empty, and a user key occupies at most one
//     slot of t (as in LockFreeMap: inserts of k probe the same sequence and
//     claim only a slot they saw empty).
//  2. Every slot between a key's home and its slot is non-empty (claimed or
//     sealed), so a probe that meets an empty key proves the key absent
//     from t — and, by 4, from every later table.
//  3. t->next, once set (by CAS, once), never changes. Before it is set no
//     key is sealed and no cell is frozen in t.
//  4. Writes to k reach t->next only after (a) k's slot in t is kMoved —
//     every writer that meets kPrime|c first copies c and sets kMoved — or
//     (b) the writer sealed, or saw sealed, the first empty slot of k's
//     probe sequence in t, or probed all of t without meeting k or an empty
//     key. So while k's slot in t is not kMoved and k's probe in t ends at
//     an unsealed empty key, t alone holds k's state.
//  5. A frozen cell's value is placed in t->next by CAS from 0 (never
//     written), so of all the copiers of one slot exactly one writes it, and
//     a late copier (preempted after freezing, waking after the slot moved
//     and was written or erased in t->next) finds the cell non-zero and
//     writes nothing: erase leaves 1, never 0 (Click's "a copy never
//     overwrites a tombstone", xsync's lost-update race ruled out).
//  6. t->next is not itself migrated before t's migration has finished
//     (table_ has moved to it); so at most two tables take writes at once,
//     and a copier's placement in t->next never meets a frozen cell there.
//
// Migration (growth or in-place purge). Load = claimed slots / capacity.
//  - Install: a writer whose claim passes max_load_factor (checked every
//    check_every claims per stripe) allocates the successor — twice the
//    capacity if more than half the threshold is live (or the threshold is
//    above 0.9), else the same capacity (tombstones are dropped) — and CASes
//    t->next from null. The successor keeps t's capacity in reserve for
//    t's copies: while t migrates, a claim that leaves less room than that
//    finishes t's copy first (after_claim), so a successor never fills up. One
//    thread at a time allocates (an `installing` flag; the others keep
//    working in t, which still has room); a thread whose insert finds t
//    completely full allocates its own successor and races the CAS (the
//    loser frees its table), so even then nobody waits.
//  - Copy: every write on t while t->next is set first claims one chunk of
//    kChunk slots (fetch_add on the chunk cursor) and copies it: seal its
//    empty keys and freeze its live cells, place the frozen values (target
//    lines prefetched ahead), mark them kMoved.
//    The thread that completes the last chunk moves table_ to t->next and
//    retires t to the map's EBR domain. A chunk whose claimer is preempted
//    holds nobody up: gets read through frozen cells, writers help the one
//    slot they need, and a writer that needs t finished (its claim in t->next
//    passed t->next's threshold, or t->next filled up) copies every slot of t
//    itself — copying is idempotent — and moves table_ (exactly one CAS wins).
//
// Operations (each under an EBR pin, so no table is freed under it)
//  - get(k): probe the current table; at k's slot read the cell: live or
//    frozen — return its value (a frozen value is still the current one: by
//    4 nothing newer exists); 0/1 — absent; kMoved — continue in t->next. At
//    an empty key: absent. At a sealed key, or after probing all of t:
//    continue in t->next (absent if there is none).
//  - insert(k, v): probe t; at k's slot CAS the cell to v + 2 unless frozen
//    (then help copy it and continue in t->next). At an empty key: claim it
//    for k if t has no successor, else seal it and continue in t->next (b).
//  - update / erase: as insert, but an empty key (or a cell of 0/1) means
//    absent and nothing is written.
//
// Memory ordering
//  - Key claim/seal: CAS acq_rel; key loads acquire. A claimed key is
//    written before its first cell write (program order, release on the
//    cell), so a thread that acquires a non-zero cell sees the key.
//  - Cell writes (writers' CAS, copiers' freeze CAS, the kMoved store) are
//    acq_rel / release; cell loads are acquire. A copier places c in
//    t->next before it stores kMoved (release), so anyone who acquires
//    kMoved and then follows t->next (acquire) sees the placement or a
//    later write there (message passing through the cell).
//  - t->next is published by CAS (acq_rel) after the successor was zeroed
//    and its header written; table_ moves by CAS (acq_rel) after every slot
//    of t is kMoved or sealed; both are loaded with acquire.
//  - Reclamation: the table_ CAS's winner retires t; EBR frees it once no
//    operation that could have loaded t is still pinned (native/maps/ebr.h),
//    so a preempted copier or reader can always finish on t.
// Linearisation points: get at its cell load (live, frozen, or 0/1), or at
//  the key load that met an empty key, or at its load of a null t->next;
//  insert / update / erase at their successful cell CAS, or at the load
//  that proved absence. A frozen value read by a get is current at that
//  load, because every writer of that key must first move it (4).
// Progress
//  - get: wait-free; at most capacity probes per table it visits, and it
//    visits a table only after finding its key moved there (it never helps,
//    waits or retries).
//  - insert / update / erase: lock-free. A CAS fails only because another
//    operation's CAS succeeded; helping is bounded (one chunk per write, or
//    one pass over t when t->next is past its threshold); nobody spins on a
//    flag another thread must clear. The page allocator's and the EBR
//    retire list's mutexes are taken once per migration (allocating and
//    retiring a table), never per operation.
//  - test_growth parks a copier in the middle of a slot's copy (Hooks) and
//    checks that the other threads keep completing operations and
//    migrations meanwhile.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>

#include "maps/ebr.h"
#include "maps/lockfree_map.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"
#include "runtime/tsc.h"

namespace mapbench {

// Test hooks, compiled away by default. on_frozen() runs after a copier has
// frozen a live cell and before it places the value (where a preempted
// copier hurts most); before_moved() after placing and before marking the
// slot moved. kWriteThroughFrozen plants the lost-update bug (a writer
// treats a frozen cell as live and CASes over it in the old table, so the
// copier's kMoved store drops its write), for tests that must catch it.
struct NoMigrationHooks {
  static void on_frozen() {}
  static void before_moved() {}
  static constexpr bool kWriteThroughFrozen = false;
};

template <class Hooks = NoMigrationHooks>
class BasicMigratingLockFreeMap {
 public:
  using Slot = LockFreeMap::Slot;

  static constexpr std::uint64_t kSealed = kTombstoneKey;  // key word: empty slot closed by a migration
  static constexpr std::uint64_t kErased = 1;
  static constexpr std::uint64_t kPrime = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kMoved = kPrime;
  static_assert(kMaxUserValue + 2 < kPrime, "a live cell (value + 2) must stay below the prime bit");

  // Slots per chunk of a copy (4 KiB): what one write helps with, so small
  // enough to bound the write's latency, large enough that claiming a chunk
  // (one fetch_add) is rare.
  static constexpr std::size_t kChunk = 256;
  // Placements prefetched ahead while copying a chunk (help_copy).
  static constexpr std::size_t kPrefetchAhead = 8;
  static constexpr std::size_t kStripes = 16;

  struct alignas(kCacheLine) Stripe {
    std::atomic<std::int64_t> claimed{0};  // key slots claimed through this stripe (copies included)
    std::atomic<std::int64_t> live{0};     // absent->live writes minus live->erased ones, here
  };

  struct Table {
    std::size_t capacity;      // immutable
    Slot* slots;               // immutable pointer; slot words per the header
    alloc::Pages* pages;       // immutable: placed this table, frees it
    std::int64_t grow_at;      // immutable: claimed slots beyond which to migrate
    std::int64_t check_every;  // immutable: a stripe sums all stripes every this many claims
    std::size_t chunks;        // immutable: ceil(capacity / kChunk)
    std::uint64_t born_tick;   // immutable: when this table was allocated as a successor (0: the first)
    std::int64_t reserve;      // immutable: slots kept for the predecessor's copies (its capacity; 0: the first)
    alignas(kCacheLine) std::atomic<Table*> next{nullptr};  // invariant 3
    std::atomic<bool> installing{false};                    // a thread is allocating next
    std::atomic<std::size_t> chunk_cursor{0};               // chunks claimed (may overshoot)
    std::atomic<std::size_t> chunks_done{0};                // chunks copied
    Stripe stripes[kStripes];
  };

  // Requires: capacity >= 2 and a multiple of kSlotsPerLine; max_load_factor in (0, 1).
  BasicMigratingLockFreeMap(alloc::Pages& pages, std::size_t capacity, double max_load_factor)
      : pages_(pages), max_load_factor_(max_load_factor) {
    MB_DCHECK(capacity >= 2 && capacity % kSlotsPerLine == 0);
    MB_DCHECK(max_load_factor > 0 && max_load_factor < 1);
    Table* t = new_table(capacity, 0);
    peak_table_bytes_.store(table_bytes(t), std::memory_order_relaxed);
    table_.store(t, std::memory_order_release);
  }
  BasicMigratingLockFreeMap(const BasicMigratingLockFreeMap&) = delete;
  BasicMigratingLockFreeMap& operator=(const BasicMigratingLockFreeMap&) = delete;
  // Requires: no operation in progress. A migration left unfinished (no
  // write came after it started) leaves two tables; retired ones go with domain_.
  ~BasicMigratingLockFreeMap() {
    Table* t = table_.load(std::memory_order_acquire);
    if (Table* n = t->next.load(std::memory_order_acquire)) free_table(n);
    free_table(t);
  }

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    const ebr::detail::PinToken pin = ebr::detail::pin();
    const Table* t = table_.load(std::memory_order_acquire);
    bool hit = false;
    for (;;) {
      std::uint64_t c = 0;
      const Slot* s = nullptr;
      const Found f = probe(t, key, sink, &s);
      if (f == Found::kKey) {
        c = s->cell.load(std::memory_order_acquire);
        if (c != kMoved) {
          c &= ~kPrime;
          hit = c >= 2;
          if (hit) *value = c - 2;
          break;
        }
      } else if (f == Found::kEmpty) {
        break;
      }
      // Moved, sealed, or all of t probed: the key's state is in t->next.
      t = t->next.load(std::memory_order_acquire);
      if (!t) break;
    }
    ebr::detail::unpin(pin);
    return hit;
  }

  // Insert-or-assign.
  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    const std::uint64_t want = value + 2;
    return write(key, /*claims=*/true, sink, [want](std::uint64_t c, std::uint64_t* to) {
      *to = want;
      return c >= 2 ? Status::kAssigned : Status::kInserted;
    });
  }

  // Assign only if present.
  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    const std::uint64_t want = value + 2;
    return write(key, /*claims=*/false, sink, [want](std::uint64_t c, std::uint64_t* to) {
             *to = c >= 2 ? want : c;
             return c >= 2 ? Status::kOk : Status::kNotFound;
           }) == Status::kOk;
  }

  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    return write(key, /*claims=*/false, sink, [](std::uint64_t c, std::uint64_t* to) {
             *to = c >= 2 ? kErased : c;
             return c >= 2 ? Status::kOk : Status::kNotFound;
           }) == Status::kOk;
  }

  // Live entries; exact when no writer runs, otherwise an approximation.
  std::size_t size() {
    std::size_t n = 0;
    for_each_slot([&](std::uint64_t, bool live, std::size_t, std::size_t) { n += live; });
    return n;
  }

  // f(key, live, table capacity, slot index) for every slot holding a user
  // key's state (live = false: a tombstone) in the current table and, while
  // a migration is under way, its successor — skipping the slots already
  // moved, so each key is seen once. Exact when quiescent (no copy is then
  // half done); while writers run, an approximation. It never helps a
  // migration along: a diagnostics reader must not change what it samples.
  template <class F>
  void for_each_slot(F f) const {
    const ebr::detail::PinToken pin = ebr::detail::pin();
    for (const Table* t = table_.load(std::memory_order_acquire); t; t = t->next.load(std::memory_order_acquire)) {
      for (std::size_t i = 0; i < t->capacity; ++i) {
        const std::uint64_t k = t->slots[i].key.load(std::memory_order_acquire);
        if (!is_user_key(k)) continue;
        const std::uint64_t c = t->slots[i].cell.load(std::memory_order_acquire);
        if (c == kMoved) continue;
        f(k, (c & ~kPrime) >= 2, t->capacity, i);
      }
    }
    ebr::detail::unpin(pin);
  }

  // f(displacement) for every key's slot (see for_each_slot), for probe-length diagnostics.
  template <class F>
  void for_each_displacement(F f) const {
    for_each_slot([&](std::uint64_t k, bool, std::size_t cap, std::size_t i) {
      const std::size_t home = reduce_range(hash_key(k), cap);
      f(i >= home ? i - home : i + cap - home);
    });
  }

  // Finishes a migration no write finished (after prefill: the measured
  // phase starts on one table). Safe while others run: copying is helping.
  void settle() {
    ebr::Guard guard(domain_);
    Table* t = table_.load(std::memory_order_acquire);
    if (Table* nt = t->next.load(std::memory_order_acquire)) finish_copy(t, nt);
  }

  // The capacity writes go to: the successor's while a migration is under way.
  std::size_t capacity() const {
    const ebr::detail::PinToken pin = ebr::detail::pin();
    const Table* t = table_.load(std::memory_order_acquire);
    if (const Table* nt = t->next.load(std::memory_order_acquire)) t = nt;
    const std::size_t cap = t->capacity;
    ebr::detail::unpin(pin);
    return cap;
  }
  static constexpr bool growable() { return true; }
  MigrationStats migration_stats() const { return log_.stats(peak_table_bytes_.load(std::memory_order_relaxed)); }
  std::uint64_t tables_retired() const { return domain_.retired(); }
  std::uint64_t tables_freed() const { return domain_.reclaimed(); }
  void collect() { domain_.collect(); }

 private:
  enum class Found { kKey, kEmpty, kSealed, kNone };

  static std::size_t table_bytes(const Table* t) { return t->capacity * sizeof(Slot); }

  Table* new_table(std::size_t capacity, std::uint64_t born_tick, std::size_t reserve = 0) const {
    Table* t = new (pages_.allocate(sizeof(Table), alignof(Table))) Table();
    t->capacity = capacity;
    t->pages = &pages_;
    t->slots = static_cast<Slot*>(pages_.allocate_table(capacity * sizeof(Slot)));  // zeroed: all empty
    t->grow_at = static_cast<std::int64_t>(std::floor(max_load_factor_ * static_cast<double>(capacity)));
    t->check_every = std::max<std::int64_t>(1, static_cast<std::int64_t>(capacity / (64 * kStripes)));
    t->chunks = (capacity + kChunk - 1) / kChunk;
    t->born_tick = born_tick;
    t->reserve = static_cast<std::int64_t>(reserve);
    return t;
  }
  static void free_table(Table* t) { lockfree_tables::free_table(t); }
  static Stripe& my_stripe(Table* t) { return lockfree_tables::stripe_of(t); }

  // Walks k's probe sequence in t to the first slot that decides it: k's
  // own slot (kKey, *at set), an empty key (kEmpty, *at set), a sealed key
  // (kSealed, *at set), or none in all of t (kNone).
  template <class Sink, class S>
  static Found probe(const Table* t, std::uint64_t key, Sink& sink, S** at) {
    const std::size_t cap = t->capacity;
    std::size_t i = reduce_range(hash_key(key), cap);
    for (std::uint32_t probes = 1; probes <= cap; ++probes) {
      S& s = t->slots[i];
      const std::uint64_t k = s.key.load(std::memory_order_acquire);
      if (k == key || k == kEmptyKey || k == kSealed) {
        sink.probe(probes, k == key);
        *at = &s;
        return k == key ? Found::kKey : k == kEmptyKey ? Found::kEmpty : Found::kSealed;
      }
      if (++i == cap) i = 0;
    }
    sink.probe(static_cast<std::uint32_t>(cap), false);
    return Found::kNone;
  }

  // One write of `key`: decide(c, &to) is given the cell's unfrozen content
  // c (0, 1 or a live value + 2), sets what to store (to == c: nothing to
  // write) and returns the result. claims: an absent key gets a slot
  // (insert); otherwise absence is the result decide(0) gives.
  template <class Sink, class Decide>
  Status write(std::uint64_t key, bool claims, Sink& sink, Decide decide) {
    ebr::Guard guard(domain_);
    Table* t = table_.load(std::memory_order_acquire);
    for (;;) {
      Table* nt = t->next.load(std::memory_order_acquire);
      if (nt) help_copy(t, nt);
      Slot* s = nullptr;
      Found f = probe(t, key, sink, &s);
      bool claimed_new = false;
      while (f == Found::kEmpty) {
        std::uint64_t expected = kEmptyKey;
        if (!claims) {
          std::uint64_t unused;
          return decide(0, &unused);  // absent in t and, by 4(b), in every later table
        }
        // No successor: claim the slot for key. A successor: seal it, so no
        // insert of a key whose probe passes here can land in t after us.
        const std::uint64_t mine = nt ? kSealed : key;
        if (s->key.compare_exchange_strong(expected, mine, std::memory_order_acq_rel, std::memory_order_acquire)) {
          f = nt ? Found::kSealed : Found::kKey;
          claimed_new = !nt;
          break;
        }
        sink.cas_failure();  // expected holds the winner's word: decide again from this slot
        if (expected == key) {
          f = Found::kKey;
        } else if (expected == kSealed) {
          f = Found::kSealed;
        } else {
          f = probe_from(t, s, key, sink, &s);
        }
      }
      if (f != Found::kKey) {
        // Sealed, or every slot of t holds another key: k continues in t->next.
        t = successor(t, f == Found::kNone);
        continue;
      }
      if (claimed_new) after_claim(t);
      std::uint64_t c = s->cell.load(std::memory_order_acquire);
      for (;;) {
        if (c == kMoved) break;
        if ((c & kPrime) && !Hooks::kWriteThroughFrozen) {
          copy_slot(*s, t->next.load(std::memory_order_acquire));
          break;
        }
        std::uint64_t to = 0;
        const Status r = decide(c & ~kPrime, &to);
        if (to == (c & ~kPrime)) return r;  // nothing to write (absent for update/erase)
        if (s->cell.compare_exchange_weak(c, to, std::memory_order_acq_rel, std::memory_order_acquire)) {
          const std::uint64_t was = c & ~kPrime;
          if ((was >= 2) != (to >= 2)) my_stripe(t).live.fetch_add(to >= 2 ? 1 : -1, std::memory_order_relaxed);
          return r;
        }
        sink.cas_failure();
      }
      t = t->next.load(std::memory_order_acquire);  // set: the slot moved
    }
  }

  // probe() resumed at slot s (after a lost claim race changed it to
  // another user key): the next deciding slot of key's sequence.
  template <class Sink>
  static Found probe_from(const Table* t, Slot* s, std::uint64_t key, Sink& sink, Slot** at) {
    const std::size_t cap = t->capacity;
    std::size_t i = static_cast<std::size_t>(s - t->slots);
    for (std::size_t n = 0; n < cap; ++n) {
      if (++i == cap) i = 0;
      Slot& x = t->slots[i];
      const std::uint64_t k = x.key.load(std::memory_order_acquire);
      if (k == key || k == kEmptyKey || k == kSealed) {
        *at = &x;
        return k == key ? Found::kKey : k == kEmptyKey ? Found::kEmpty : Found::kSealed;
      }
    }
    sink.probe(static_cast<std::uint32_t>(cap), false);
    return Found::kNone;
  }

  // t's successor, installing one when t has none: only possible when t is
  // full (full = true: every slot probed holds another key), since sealed
  // keys exist only once a successor does.
  Table* successor(Table* t, bool full) {
    Table* nt = t->next.load(std::memory_order_acquire);
    if (nt) return nt;
    MB_DCHECK(full);
    start_migration(t, full);
    return t->next.load(std::memory_order_acquire);
  }

  // Counts a fresh claim in t and, every check_every claims of a stripe,
  // acts on the total: past the threshold, t migrates; while t is still
  // receiving its predecessor's copies, a total that leaves less room than
  // the predecessor's capacity (every copy it may still place) plus what
  // the stripes may claim before the next check makes this thread finish
  // that copy first — so a successor never fills up under its copies.
  void after_claim(Table* t) {
    const std::int64_t mine = my_stripe(t).claimed.fetch_add(1, std::memory_order_relaxed) + 1;
    if (mine % t->check_every != 0) return;
    std::int64_t total = 0;
    for (const Stripe& s : t->stripes) total += s.claimed.load(std::memory_order_relaxed);
    if (total > t->grow_at) {
      start_migration(t, /*full=*/false);
      return;
    }
    const std::int64_t unchecked = 2 * static_cast<std::int64_t>(kStripes) * t->check_every;
    if (t->reserve > 0 && total + t->reserve + unchecked >= static_cast<std::int64_t>(t->capacity)) {
      Table* cur = table_.load(std::memory_order_acquire);
      if (cur != t && cur->next.load(std::memory_order_acquire) == t) finish_copy(cur, t);
    }
  }

  // Installs t's successor unless one exists. t must be the current table
  // (invariant 6): if it is still some table's successor, that migration is
  // finished first, by this thread if need be. full: t has no room left, so
  // this thread allocates even if another one is already allocating.
  void start_migration(Table* t, bool full) {
    if (t->next.load(std::memory_order_acquire)) return;
    Table* cur = table_.load(std::memory_order_acquire);
    if (cur != t) {
      MB_DCHECK(cur->next.load(std::memory_order_acquire) == t);
      finish_copy(cur, t);
    }
    if (t->installing.exchange(true, std::memory_order_acq_rel) && !full) return;  // someone is on it
    if (t->next.load(std::memory_order_acquire)) return;
    std::int64_t live = 0;
    for (const Stripe& s : t->stripes) live += s.live.load(std::memory_order_relaxed);
    const std::size_t cap = t->capacity;
    // In place only while the copies (at most the claimed slots, since an
    // insert may revive a tombstone before its slot moves) surely fit.
    const bool grow = full || live > t->grow_at / 2 || max_load_factor_ > 0.9 ||
                      static_cast<std::size_t>(std::max<std::int64_t>(live, 0)) + 1 >= cap;
    Table* nt = new_table(grow ? cap * 2 : cap, std::max<std::uint64_t>(tsc::now(), 1), cap);
    Table* expected = nullptr;
    if (!t->next.compare_exchange_strong(expected, nt, std::memory_order_acq_rel, std::memory_order_acquire)) {
      free_table(nt);  // never published
      return;
    }
    const std::uint64_t both = table_bytes(t) + table_bytes(nt);
    std::uint64_t peak = peak_table_bytes_.load(std::memory_order_relaxed);
    while (both > peak && !peak_table_bytes_.compare_exchange_weak(peak, both, std::memory_order_relaxed)) {
    }
  }

  // Claims and copies one chunk of t, if any is left unclaimed: freezes
  // its slots (sequential lines), then places the frozen values in nt with
  // each target line prefetched kPrefetchAhead values ahead — the locked
  // instructions of a placement cannot start before the loads ahead of
  // them finish, so without prefetching every placement would pay a whole
  // memory round trip on its own — then marks them moved.
  void help_copy(Table* t, Table* nt) {
    if (t->chunk_cursor.load(std::memory_order_relaxed) >= t->chunks) return;
    const std::size_t chunk = t->chunk_cursor.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= t->chunks) return;
    const std::size_t begin = chunk * kChunk, end = std::min(t->capacity, begin + kChunk);
    struct Frozen {
      std::uint32_t slot;  // index in the chunk
      std::uint64_t key, cell, home;
    };
    Frozen frozen[kChunk];
    std::size_t n = 0;
    for (std::size_t j = begin; j < end; ++j) {
      std::uint64_t k = 0, c = 0;
      if (freeze(t->slots[j], &k, &c))
        frozen[n++] = {static_cast<std::uint32_t>(j - begin), k, c, reduce_range(hash_key(k), nt->capacity)};
    }
    Placed counts;
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kPrefetchAhead < n) __builtin_prefetch(&nt->slots[frozen[i + kPrefetchAhead].home], 1);
      Hooks::on_frozen();
      place(nt, frozen[i].key, frozen[i].cell & ~kPrime, frozen[i].home, counts);
    }
    counts.add_to(nt);
    Hooks::before_moved();
    for (std::size_t i = 0; i < n; ++i) mark_moved(t->slots[begin + frozen[i].slot], frozen[i].cell);
    if (t->chunks_done.fetch_add(1, std::memory_order_acq_rel) + 1 == t->chunks) finish(t, nt);
  }

  // Copies every slot of t (idempotent: slots already moved cost a load)
  // and finishes the migration: what a thread does when it cannot go on
  // without t's migration being over, whoever holds its chunks.
  void finish_copy(Table* t, Table* nt) {
    if (table_.load(std::memory_order_acquire) != t) return;
    for (std::size_t j = 0; j < t->capacity; ++j) copy_slot(t->slots[j], nt);
    finish(t, nt);
  }

  // Requires: every slot of t is sealed or kMoved. The one CAS that wins
  // moves table_ and retires t.
  void finish(Table* t, Table* nt) {
    Table* expected = t;
    if (!table_.compare_exchange_strong(expected, nt, std::memory_order_acq_rel, std::memory_order_acquire)) return;
    log_.record(tsc::now() - nt->born_tick);
    domain_.retire(t, [](void* p) { free_table(static_cast<Table*>(p)); });
    domain_.collect();
  }

  // Leaves slot s of a migrating table sealed or kMoved, its live value (if
  // any) placed in nt first.
  void copy_slot(Slot& s, Table* nt) {
    std::uint64_t k = 0, c = 0;
    if (!freeze(s, &k, &c)) return;
    Hooks::on_frozen();
    Placed counts;
    place(nt, k, c & ~kPrime, reduce_range(hash_key(k), nt->capacity), counts);
    counts.add_to(nt);
    Hooks::before_moved();
    mark_moved(s, c);
  }

  // Claims and live entries a copier added to nt, counted into its stripe
  // once per chunk rather than by two atomic adds per entry.
  struct Placed {
    std::int64_t claimed = 0, live = 0;
    void add_to(Table* nt) const {
      Stripe& st = my_stripe(nt);
      if (claimed) st.claimed.fetch_add(claimed, std::memory_order_relaxed);
      if (live) st.live.fetch_add(live, std::memory_order_relaxed);
    }
  };

  // The first step of a slot's copy: seals an empty key, moves an absent
  // cell straight to kMoved, freezes a live one. True when a frozen live
  // value (*cell, with its key in *key) is left to place — by this thread
  // or any other that meets it.
  static bool freeze(Slot& s, std::uint64_t* key, std::uint64_t* cell) {
    std::uint64_t k = s.key.load(std::memory_order_acquire);
    if (k == kEmptyKey) {
      if (s.key.compare_exchange_strong(k, kSealed, std::memory_order_acq_rel, std::memory_order_acquire)) return false;
      // k now holds the key an insert claimed meanwhile (or kSealed).
    }
    if (k == kSealed) return false;
    std::uint64_t c = s.cell.load(std::memory_order_acquire);
    for (;;) {
      if (c == kMoved) return false;
      if (c & kPrime) break;  // frozen by another copier: place it too (idempotent)
      const std::uint64_t frozen = c >= 2 ? (c | kPrime) : kMoved;
      if (s.cell.compare_exchange_weak(c, frozen, std::memory_order_acq_rel, std::memory_order_acquire)) {
        if (frozen == kMoved) return false;  // nothing live to move
        c = frozen;
        break;
      }
    }
    *key = k;
    *cell = c;
    return true;
  }

  // The last step: only copiers change a frozen cell, and all of them write
  // kMoved, so a release store is the transition (it publishes the
  // placement to whoever acquires kMoved).
  static void mark_moved(Slot& s, std::uint64_t frozen) {
    (void)frozen;
    s.cell.store(kMoved, std::memory_order_release);
  }

  // Places a copied live cell for k (home slot `home` of nt) in nt unless
  // nt already has a state for k (invariant 5). nt has no successor yet
  // (invariant 6).
  void place(Table* nt, std::uint64_t k, std::uint64_t c, std::size_t home, Placed& counts) {
    const std::size_t cap = nt->capacity;
    std::size_t i = home;
    for (std::size_t n = 0; n < cap; ++n) {
      Slot& s = nt->slots[i];
      std::uint64_t x = s.key.load(std::memory_order_acquire);
      if (x == kEmptyKey) {
        if (s.key.compare_exchange_strong(x, k, std::memory_order_acq_rel, std::memory_order_acquire)) {
          counts.claimed += 1;  // nt's own migration waits for table_ to reach it (invariant 6)
          x = k;
        }
      }
      if (x == k) {
        std::uint64_t never = 0;
        if (s.cell.compare_exchange_strong(never, c, std::memory_order_acq_rel, std::memory_order_relaxed))
          counts.live += 1;
        return;
      }
      if (++i == cap) i = 0;
    }
    assert_fail("a successor filled up under its predecessor's copies (see after_claim)", __FILE__, __LINE__);
  }

  alloc::Pages& pages_;  // places every table; outlives the map and domain_
  const double max_load_factor_;
  mutable ebr::Domain domain_;                      // retired tables
  std::atomic<Table*> table_;                       // acquire loads under a pin; moved by CAS
  MigrationLog log_;                                // every migration's duration (diagnostics)
  std::atomic<std::uint64_t> peak_table_bytes_{0};  // relaxed: diagnostics
};

using MigratingLockFreeMap = BasicMigratingLockFreeMap<>;

}  // namespace mapbench
