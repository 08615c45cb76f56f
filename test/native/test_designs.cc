// test_designs.cc — what is particular to the node-based designs, beyond
// the differential, stress and linearizability suites they share with the
// others:
//   chained       a counted allocation per new key and a free per erase,
//                 none for an assignment; the structural audit (every node
//                 in its own bucket, once; stripe counts);
//   chained-pool  no allocation at all in the steady state after warm-up
//                 (alloc::thread_counts()); nodes freed by another thread
//                 are reused and memory stays bounded while threads come
//                 and go; more threads than the pool has per-thread lists;
//   readmostly    an entry-cell allocation per new key shows in the
//                 counters; misses promote the dirty map; readers keep
//                 reading correct values while a writer forces promotions
//                 (retired snapshots and entries reclaimed under them:
//                 ThreadSanitizer/AddressSanitizer trees check the
//                 reclamation); prefill ends promoted (settle), a
//                 promotion copies nothing and the next new key copies
//                 the snapshot once (Go's dirtyLocked); expunged entries
//                 are freed after the promotion that drops them;
//   all three     everything allocated is freed once the map is destroyed.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "catalogue/checks.h"
#include "check.h"
#include "maps.h"
#include "maps/chained_map.h"
#include "maps/readmostly_map.h"
#include "overlap.h"
#include "runtime/alloc.h"
#include "runtime/workload.h"

namespace mb = mapbench;
using mb::Status;

namespace {

using HeapChained = mb::ChainedMap<mb::MutexLock, mb::HeapNodes<mb::ChainNode>>;
using PoolChained = mb::ChainedMap<mb::SpinLock, mb::NodePool<mb::ChainNode>>;
using Pool = mb::NodePool<mb::ChainNode>;

std::unique_ptr<mb::AnyMap> make(const std::string& design, std::uint64_t entries, double lf,
                                 std::uint32_t shards = 16) {
  mb::MapOptions o;
  o.design = design;
  o.expected_entries = entries;
  o.load_factor = lf;
  o.shards = shards;
  o.huge_pages = false;
  const std::string bad = mb::validate(o);
  CHECK(bad.empty(), design, ": ", bad);
  return mb::make_map(o);
}

mb::alloc::Counts delta(const mb::alloc::Counts& a, const mb::alloc::Counts& b) {
  return {b.allocations - a.allocations, b.frees - a.frees, b.bytes_allocated - a.bytes_allocated,
          b.bytes_freed - a.bytes_freed};
}

void chained_counts_allocations() {
  auto m = make("chained", 1000, 0.5);
  constexpr std::uint64_t n = 1000;
  auto c0 = mb::alloc::thread_counts();
  for (std::uint64_t i = 0; i < n; ++i) CHECK_EQ(m->insert(mb::key_of(i), i), Status::kInserted);
  auto d = delta(c0, mb::alloc::thread_counts());
  CHECK_EQ(d.allocations, n, "one node per new key");
  CHECK_EQ(d.bytes_allocated, n * sizeof(mb::ChainNode));
  CHECK_EQ(d.frees, 0u);
  c0 = mb::alloc::thread_counts();
  for (std::uint64_t i = 0; i < n; ++i) CHECK_EQ(m->insert(mb::key_of(i), i + 1), Status::kAssigned);
  for (std::uint64_t i = 0; i < n; ++i) CHECK_EQ(m->update(mb::key_of(i), i + 2), Status::kOk);
  d = delta(c0, mb::alloc::thread_counts());
  CHECK_EQ(d.allocations, 0u, "an assignment allocates nothing");
  c0 = mb::alloc::thread_counts();
  for (std::uint64_t i = 0; i < n; i += 2) CHECK_EQ(m->erase(mb::key_of(i)), Status::kOk);
  d = delta(c0, mb::alloc::thread_counts());
  CHECK_EQ(d.frees, n / 2, "one free per erase");
  CHECK_EQ(d.bytes_freed, n / 2 * sizeof(mb::ChainNode));
  mbtest::check_invariants(*m, n / 2, n, "chained");
}

// Random single-thread ops on a small, overloaded table, then the audit.
template <class Map>
void audit_after_random_ops(const char* what) {
  mb::alloc::Pages pages(false);
  Map m(pages, 64, 8);  // 64 buckets for up to 2000 keys: chains ~30 long
  mb::NoStats s;
  mb::Rng rng(99);
  std::vector<std::uint8_t> present(2000, 0);
  std::uint64_t live = 0;
  for (int op = 0; op < 200000; ++op) {
    const std::uint64_t i = rng.below(2000);
    const std::uint64_t k = mb::key_of(i);
    switch (rng.below(3)) {
      case 0: {
        const Status st = m.insert(k, i, s);
        CHECK_EQ(st, present[i] ? Status::kAssigned : Status::kInserted, what);
        live += !present[i];
        present[i] = 1;
        break;
      }
      case 1:
        CHECK_EQ(m.erase(k, s), present[i] != 0, what);
        live -= present[i];
        present[i] = 0;
        break;
      default: {
        std::uint64_t v = 0;
        CHECK_EQ(m.get(k, &v, s), present[i] != 0, what);
        if (present[i]) CHECK_EQ(v, i, what);
      }
    }
    if (op % 50000 == 0) CHECK_EQ(m.audit(), std::string(), what, " at op ", op);
  }
  CHECK_EQ(m.size(), live, what);
  CHECK_EQ(m.audit(), std::string(), what);
}

void pool_steady_state_allocates_nothing() {
  auto m = make("chained-pool", 4096, 0.5);
  constexpr std::uint64_t k = 4096;
  mb::Rng rng(5);
  // Warm-up: fill, then churn until every thread-local list has settled.
  for (std::uint64_t i = 0; i < k; ++i) CHECK_EQ(m->insert(mb::key_of(i), i), Status::kInserted);
  for (int op = 0; op < 50000; ++op) {
    const std::uint64_t i = rng.below(k);
    if (rng.below(2))
      m->erase(mb::key_of(i));
    else
      m->insert(mb::key_of(i), i);
  }
  const auto c0 = mb::alloc::thread_counts();
  std::uint64_t churned = 0;
  for (int op = 0; op < 400000; ++op) {
    const std::uint64_t i = rng.below(k);
    const Status st = rng.below(2) ? m->erase(mb::key_of(i)) : m->insert(mb::key_of(i), i);
    churned += st == Status::kInserted;
  }
  const auto d = delta(c0, mb::alloc::thread_counts());
  CHECK_GT(churned, 50000u, "the churn inserted fresh keys");
  CHECK_EQ(d.allocations, 0u, "the pool's steady state allocates nothing (", churned, " fresh inserts)");
  CHECK_EQ(d.frees, 0u);
  const mb::Diagnostics diag = m->diagnostics();
  CHECK_EQ(diag.nodes, diag.entries);
  std::printf("      %llu fresh inserts with no allocation; %llu nodes live, %llu pooled\n",
              static_cast<unsigned long long>(churned), static_cast<unsigned long long>(diag.nodes),
              static_cast<unsigned long long>(diag.pooled_nodes));
}

// Two threads churn the same keys (so each frees nodes the other
// allocated), in rounds of fresh threads; the pool's size stays within its
// bound and its audit holds.
void pool_cross_thread_frees_and_thread_churn() {
  mb::alloc::Pages pages(false);
  PoolChained m(pages, 1024, 16);
  constexpr std::uint64_t k = 2048;
  std::size_t peak_total = 0;
  for (int round = 0; round < 12; ++round) {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < 2; ++t) {
      ts.emplace_back([&m, t, round] {
        mb::NoStats s;
        mb::Rng rng(mb::thread_seed(77, t, static_cast<std::uint64_t>(round)));
        // Thread 0 mostly inserts, thread 1 mostly erases: nodes migrate.
        for (int op = 0; op < 20000; ++op) {
          const std::uint64_t i = rng.below(k);
          if (rng.below(100) < (t == 0 ? 80u : 20u))
            m.insert(mb::key_of(i), mb::tagged_value(t, i), s);
          else
            m.erase(mb::key_of(i), s);
        }
      });
    }
    for (auto& th : ts) th.join();
    CHECK_EQ(m.audit(), std::string(), "round ", round);
    const std::size_t total = m.nodes().total_nodes();
    if (total > peak_total) peak_total = total;
  }
  // Free nodes never exceed the overflow plus kSpillAt per slot in use (the
  // two workers and this thread), and a batch is added only when the
  // overflow is empty: total <= keys + 3 slots x kSpillAt + one batch.
  const std::size_t bound = k + 3 * Pool::kSpillAt + Pool::kBatchNodes;
  CHECK_LE(peak_total, bound, "the pool grew past its bound");
  std::printf("      peak %zu pooled-or-live nodes for %llu keys (bound %zu), %zu live at the end\n", peak_total,
              static_cast<unsigned long long>(k), bound, m.size());
}

// More live threads than the pool has per-thread lists: the rest go through
// the shared list, and nothing is lost.
void pool_more_threads_than_slots() {
  mb::alloc::Pages pages(false);
  PoolChained m(pages, 4096, 64);
  const unsigned threads = static_cast<unsigned>(Pool::kThreadSlots) + 8;
  constexpr std::uint64_t per = 64;
  std::atomic<unsigned> arrived{0};
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      mb::NoStats s;
      // Everyone takes a thread id before anyone leaves, so ids beyond
      // kThreadSlots are really in use.
      (void)mb::thread_slot::id();
      arrived.fetch_add(1, std::memory_order_acq_rel);
      while (arrived.load(std::memory_order_acquire) < threads) std::this_thread::yield();
      for (int rep = 0; rep < 3; ++rep) {
        for (std::uint64_t i = 0; i < per; ++i) m.insert(mb::key_of(t * per + i), mb::tagged_value(t, i), s);
        for (std::uint64_t i = 0; i < per; i += 2) m.erase(mb::key_of(t * per + i), s);
      }
    });
  }
  for (auto& th : ts) th.join();
  CHECK_EQ(m.size(), threads * per / 2);
  mb::NoStats s;
  for (unsigned t = 0; t < threads; ++t)
    for (std::uint64_t i = 1; i < per; i += 2) {
      std::uint64_t v = 0;
      CHECK(m.get(mb::key_of(t * per + i), &v, s), "thread ", t, " key ", i);
      CHECK_EQ(v, mb::tagged_value(t, i));
    }
  CHECK_EQ(m.audit(), std::string());
}

void readmostly_counts_and_promotes() {
  auto m = make("readmostly", 1000, 0.5);
  constexpr std::uint64_t n = 1000;
  auto c0 = mb::alloc::thread_counts();
  for (std::uint64_t i = 0; i < n; ++i) CHECK_EQ(m->insert(mb::key_of(i), i), Status::kInserted);
  auto d = delta(c0, mb::alloc::thread_counts());
  // One 16-byte entry cell per key, plus the first dirty table.
  CHECK_GE(d.allocations, n, "an entry cell per new key");
  CHECK_LE(d.allocations, n + 4);
  mb::Diagnostics diag = m->diagnostics();
  CHECK_EQ(diag.promotions, 0u);
  // Reads miss the (empty) snapshot until they have cost as much as the
  // dirty map's size, then the dirty map becomes the snapshot.
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t v = 0;
    CHECK_EQ(m->get(mb::key_of(i), &v), Status::kOk);
    CHECK_EQ(v, i);
  }
  diag = m->diagnostics();
  CHECK_EQ(diag.promotions, 1u, "the dirty map was promoted after ", n, " misses");
  CHECK_EQ(diag.misses, 0u);
  c0 = mb::alloc::thread_counts();
  for (int rep = 0; rep < 10; ++rep)
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint64_t v = 0;
      CHECK_EQ(m->get(mb::key_of(i), &v), Status::kOk);
      CHECK_EQ(m->update(mb::key_of(i), v + 1), Status::kOk);
    }
  d = delta(c0, mb::alloc::thread_counts());
  CHECK_EQ(d.allocations, 0u, "reads and updates of snapshot keys allocate nothing");
  CHECK_EQ(m->diagnostics().promotions, 1u, "no misses, no promotion");
  mbtest::check_invariants(*m, n, n, "readmostly");
}

// Prefill ends in the steady state (every key in the snapshot, no dirty
// map), as Go's map is after its first len(dirty) reads; a promotion is a
// pointer swap that copies nothing; the next new key copies the snapshot
// into a dirty map once, and keys stored after it do not copy again; an
// erased key's entry is expunged by that copy and freed after the next
// promotion drops it.
void readmostly_prefill_settles_and_copies_once() {
  constexpr std::uint64_t n = 5000;
  auto m = make("readmostly", n, 0.5);
  CHECK_EQ(mb::prefill(*m, n), 0u);
  mb::Diagnostics d = m->diagnostics();
  CHECK(!d.dirty_pending, "prefill leaves a dirty map pending");
  CHECK_EQ(d.promotions, 1u, "settle promoted the prefill's dirty map");
  CHECK_EQ(d.dirty_copies, 1u, "only the first prefilled key built a dirty map");
  CHECK_EQ(d.entries, n);
  CHECK_EQ(d.misses, 0u);
  // Reads of prefilled keys hit the snapshot: no miss, no lock, no promotion.
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t v = 0;
    CHECK_EQ(m->get(mb::key_of(i), &v), Status::kOk);
  }
  d = m->diagnostics();
  CHECK_EQ(d.misses, 0u);
  CHECK_EQ(d.promotions, 1u);
  // Erase one key (a CAS to kNil in the snapshot), then store new keys: the
  // first one copies the snapshot (expunging the erased key's entry), the
  // others go straight into the dirty map.
  CHECK_EQ(m->erase(mb::key_of(0)), Status::kOk);
  for (std::uint64_t i = n; i < n + 10; ++i) CHECK_EQ(m->insert(mb::key_of(i), 5), Status::kInserted);
  d = m->diagnostics();
  CHECK_EQ(d.dirty_copies, 2u, "one copy for the ten new keys");
  CHECK(d.dirty_pending);
  CHECK_EQ(d.nodes, n + 10, "the expunged entry is still reachable from the snapshot");
  m->settle();
  d = m->diagnostics();
  CHECK_EQ(d.promotions, 2u);
  CHECK_EQ(d.dirty_copies, 2u, "a promotion copies nothing");
  CHECK_EQ(d.nodes, n + 9, "the promotion dropped the expunged entry");
  CHECK_GE(d.promotion_ticks_total, d.promotion_ticks_max);
  CHECK_GE(d.dirty_copy_ticks_total, d.dirty_copy_ticks_max);
  mbtest::check_invariants(*m, n + 9, ~std::uint64_t{0}, "readmostly after settle");
}

// A writer inserts and erases fresh keys as fast as it can (each first new
// key after a promotion rebuilds the dirty map; every miss counts), while
// readers read a fixed key set whose values a second writer keeps changing.
// Readers must always find their keys with a value some writer wrote, while
// the writers run (their spans must overlap; overlap.h). Returns the spans.
mbtest::Spans readmostly_readers_across_promotions_once() {
  auto m = make("readmostly", 256, 0.5);
  constexpr std::uint64_t fixed = 256;
  for (std::uint64_t i = 0; i < fixed; ++i)
    CHECK_EQ(m->insert(mb::key_of(i), mb::value_of(mb::key_of(i))), Status::kInserted);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> bad{0}, reads{0};
  std::vector<std::thread> ts;
  mbtest::Spans spans(4);
  ts.emplace_back([&] {  // fresh keys: promotions, dirty rebuilds, retired entries
    spans.begin(0);
    std::uint64_t next = fixed;
    while (!stop.load(std::memory_order_relaxed)) {
      for (int j = 0; j < 32; ++j) m->insert(mb::key_of(next + j), 7);
      for (int j = 0; j < 32; ++j) {
        std::uint64_t v;
        m->get(mb::key_of(next + j), &v);  // misses until promoted
        m->erase(mb::key_of(next + j));
      }
      next += 32;
    }
    spans.end(0);
  });
  ts.emplace_back([&] {  // values of the fixed keys
    spans.begin(1);
    mb::Rng rng(3);
    for (std::uint64_t seq = 0; !stop.load(std::memory_order_relaxed); ++seq) {
      const std::uint64_t i = rng.below(fixed);
      m->update(mb::key_of(i), mb::tagged_value(1, seq * fixed + i));
    }
    spans.end(1);
  });
  for (unsigned r = 0; r < 2; ++r) {
    ts.emplace_back([&, r] {
      spans.begin(2 + r);
      mb::Rng rng(10 + r);
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const std::uint64_t i = rng.below(fixed);
        const std::uint64_t k = mb::key_of(i);
        std::uint64_t v = 0;
        if (m->get(k, &v) != Status::kOk)
          bad.fetch_add(1);
        else if (v != mb::value_of(k) && ((v >> 48) != 2 || (v & 0xffffffffffffULL) % fixed != i))
          bad.fetch_add(1);
        ++n;
      }
      reads.fetch_add(n);
      spans.end(2 + r);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(mbtest::scaled(300, 60)));
  stop.store(true);
  for (auto& th : ts) th.join();
  CHECK_EQ(bad.load(), 0u, "readers saw a fixed key missing or a value nobody wrote");
  const mb::Diagnostics d = m->diagnostics();
  CHECK_GT(d.promotions, 0u);
  mbtest::check_invariants(*m, fixed, ~std::uint64_t{0}, "readmostly after promotions");
  std::printf("      %llu reads, %llu promotions\n", static_cast<unsigned long long>(reads.load()),
              static_cast<unsigned long long>(d.promotions));
  return spans;
}

void readmostly_readers_across_promotions() {
  mbtest::require_overlap("readmostly readers across promotions", 3, [](std::string* why) {
    const mbtest::Spans spans = readmostly_readers_across_promotions_once();
    *why = spans.describe();
    return spans.overlapped();
  });
}

// Whatever a map allocated on any thread is freed once it is destroyed
// (retired snapshots and entries included).
void everything_freed(const std::string& design) {
  const auto c0 = mb::alloc::process_counts();
  {
    auto m = make(design, 2000, 0.5, 8);
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < 2; ++t) {
      ts.emplace_back([&, t] {
        mb::Rng rng(mb::thread_seed(1, t, 2));
        for (int op = 0; op < 30000; ++op) {
          const std::uint64_t i = rng.below(3000);
          std::uint64_t v;
          switch (rng.below(4)) {
            case 0:
              m->erase(mb::key_of(i));
              break;
            case 1:
              m->get(mb::key_of(i), &v);
              break;
            default:
              m->insert(mb::key_of(i), i);
          }
        }
      });
    }
    for (auto& th : ts) th.join();
  }
  const auto d = delta(c0, mb::alloc::process_counts());
  CHECK_GT(d.allocations, 0u, design);
  CHECK_EQ(d.allocations, d.frees, design, ": allocations vs frees after destroy");
  CHECK_EQ(d.bytes_allocated, d.bytes_freed, design, ": bytes");
}

// One page policy reaches every design: built above 2 MiB and prefilled,
// each map's placed memory is advised exactly when the policy says so, and
// under "off" the kernel backs none of it with huge pages. urcu is the one
// exception: its bucket index is the library's own and its nodes are heap
// nodes, so the policy has nothing of it to place (checked too).
void page_policy_reaches_every_design(const mb::Design& d) {
  constexpr std::uint64_t kEntries = 300'000;  // >= 4.8 MB of slots at load factor 0.5
  for (bool huge : {false, true}) {
    mb::MapOptions o;
    o.design = d.name;
    o.expected_entries = kEntries;
    o.load_factor = 0.5;
    o.huge_pages = huge;
    CHECK_EQ(mb::validate(o), std::string(), d.name);
    auto m = mb::make_map(o);
    CHECK_EQ(mb::prefill(*m, d.kind == mapbench::DesignKind::kMap ? kEntries : 0), 0u, d.name);
    const auto r = m->pages();
    std::printf("      %-13s %-3s placed %6.1f MiB, advised %6.1f MiB, huge-backed %6.1f MiB, heap %6.1f MiB\n",
                d.name.c_str(), huge ? "on" : "off", r.placed_bytes / 1048576.0, r.advised_bytes / 1048576.0,
                r.huge_backed_bytes / 1048576.0, r.heap_bytes / 1048576.0);
    CHECK_EQ(r.huge_pages, huge, d.name);
    if (d.name == "null") {
      CHECK_EQ(r.placed_bytes, 0u, "null allocates nothing");
      continue;
    }
    if (d.name == "urcu") {
      CHECK_EQ(r.placed_bytes, 0u, "urcu: nothing of it goes through the policy");
      continue;
    }
    if (d.name == "counters") {
      // One counter per shard (64 by default): a few lines, placed in one chunk.
      CHECK_EQ(r.placed_bytes, mb::alloc::Pages::kHugePage, "counters: their array is placed");
      continue;
    }
    CHECK_GT(r.placed_bytes, std::uint64_t{2} << 20, d.name, ": the policy placed its large memory");
    // What the map reports holding went through the Pages: for mapbench's
    // open-addressing designs all of it was placed; chained's table bytes
    // add its heap nodes, which the ledger counts as heap bytes. (The other
    // designs estimate nodes or entries the ledger does not see.)
    const std::uint64_t table = m->diagnostics().table_bytes;
    if (!d.peer && d.open_addressing) CHECK_GE(r.placed_bytes, table, d.name, ": its table was placed");
    if (d.name == "chained")
      CHECK_GE(r.placed_bytes + r.heap_bytes, table, d.name, ": buckets placed, nodes on the heap");
    CHECK_EQ(r.advised_bytes, huge ? r.placed_bytes : 0u, d.name, ": advised exactly under the huge policy");
    if (!huge) CHECK_EQ(r.huge_backed_bytes, 0u, d.name, ": MADV_NOHUGEPAGE keeps it on 4 KiB pages");
  }
}

}  // namespace

int main() {
  mbtest::Suite suite("test_designs");
  for (const auto& d : mb::designs())
    suite.run("page policy: " + d.name + " at 300k entries, huge pages on and off",
              [&] { page_policy_reaches_every_design(d); });
  suite.run("chained: one allocation per new key, one free per erase, none per assignment", chained_counts_allocations);
  suite.run("chained: audit after random ops on overloaded chains",
            [] { audit_after_random_ops<HeapChained>("chained"); });
  suite.run("chained-pool: audit after random ops on overloaded chains",
            [] { audit_after_random_ops<PoolChained>("chained-pool"); });
  suite.run("chained-pool: no allocation in the steady state", pool_steady_state_allocates_nothing);
  suite.run("chained-pool: cross-thread frees, threads that come and go, bounded size",
            pool_cross_thread_frees_and_thread_churn);
  suite.run("chained-pool: more threads than per-thread lists", pool_more_threads_than_slots);
  suite.run("readmostly: entry allocations counted, misses promote, snapshot reads allocate nothing",
            readmostly_counts_and_promotes);
  suite.run("readmostly: prefill ends promoted, promotion copies nothing, the next new key copies once",
            readmostly_prefill_settles_and_copies_once);
  suite.run("readmostly: readers across promotions and reclamation", readmostly_readers_across_promotions);
  for (const char* d : {"chained", "chained-pool", "readmostly"})
    suite.run(std::string(d) + ": everything freed after destroy", [d] { everything_freed(d); });
  return suite.finish();
}
