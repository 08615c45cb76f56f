// test_ebr.cc — epoch-based reclamation (native/maps/ebr.h):
//   (i)   readers under Guards dereference objects a writer keeps replacing
//         and retiring (ASAN reports a use-after-free, TSAN a race, and every
//         reader checks the object's contents are whole), and some reader
//         must have read a node the writer published mid-run (neither the
//         first nor the last), or the case reruns, at most three times in all,
//         and then fails: readers that ran wholly before or after the writer
//         would test no reclamation under them;
//   (ii)  every retired object is reclaimed: once quiescent, collect() frees
//         everything, and a domain's destructor frees what is left
//         (reclaimed == retired, and the counting allocator's frees match);
//   (iii) a Guard held on one domain holds back reclamation; released, it
//         does not; Guards nest across domains, and an inner Guard's end
//         leaves the outer one pinned;
//   (iv)  threads that exit while registered (300 of them, all pinned at
//         once) do not block reclamation; past kMaxThreads concurrent
//         threads, pins go through the overflow path and still hold
//         reclamation back while they last;
//   (v)   the cost of one uncontended Guard, printed (not asserted).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "runtime/alloc.h"
#include "check.h"
#include "maps/ebr.h"

namespace ebr = mapbench::ebr;

namespace {

struct Node {
  std::uint64_t a;
  std::uint64_t b;  // always ~a
};

struct Gate {
  std::atomic<unsigned> arrived{0};
  std::atomic<bool> release{false};
  void arrive_and_wait() {
    arrived.fetch_add(1, std::memory_order_acq_rel);
    while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
  }
  void wait_for(unsigned n) {
    while (arrived.load(std::memory_order_acquire) < n) std::this_thread::yield();
  }
};

// Returns the number of reads that saw a node published mid-run.
std::uint64_t replace_and_read(unsigned readers, std::uint64_t writes) {
  ebr::Domain d;
  std::atomic<Node*> shared{mapbench::alloc::make<Node>(Node{0, ~std::uint64_t{0}})};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> torn{0}, reads{0}, mid_run{0};
  // Readers that have read once: the writer starts only when all have, so on
  // a loaded machine the writes cannot all land before any reader runs.
  std::atomic<unsigned> reading{0};
  std::vector<std::thread> ts;
  for (unsigned r = 0; r < readers; ++r) {
    ts.emplace_back([&] {
      std::uint64_t n = 0, bad = 0, mid = 0;
      bool counted = false;
      while (!stop.load(std::memory_order_relaxed)) {
        ebr::Guard g(d);
        for (int i = 0; i < 16; ++i) {
          const Node* p = shared.load(std::memory_order_acquire);
          bad += p->b != ~p->a;
          mid += p->a > 0 && p->a < writes;
          n += 1;
        }
        if (!counted) reading.fetch_add(1, std::memory_order_release), counted = true;
      }
      torn.fetch_add(bad);
      reads.fetch_add(n);
      mid_run.fetch_add(mid);
    });
  }
  while (reading.load(std::memory_order_acquire) < readers) std::this_thread::yield();
  for (std::uint64_t i = 1; i <= writes; ++i) {
    Node* fresh = mapbench::alloc::make<Node>(Node{i, ~i});
    Node* old = shared.exchange(fresh, std::memory_order_acq_rel);
    // Sometimes inside a Guard: retire must work both ways.
    if (i % 2) {
      ebr::Guard g(d);
      d.retire_object(old);
    } else {
      d.retire_object(old);
    }
    if (i % 64 == 0) std::this_thread::yield();
  }
  stop.store(true);
  for (auto& t : ts) t.join();
  CHECK_EQ(torn.load(), 0u, "readers saw a half-written or freed node");
  CHECK_GT(reads.load(), 0u);
  CHECK_EQ(d.retired(), writes);
  d.collect();
  CHECK_EQ(d.reclaimed(), d.retired(), "quiescent collect() must free everything retired");
  mapbench::alloc::destroy(shared.load());
  return mid_run.load();
}

}  // namespace

int main() {
  mbtest::Suite suite("ebr");
  std::printf("pin barrier: %s\n", ebr::barrier_kind());

  for (unsigned readers : {1u, 3u}) {
    suite.run("replace and retire under " + std::to_string(readers) + " readers",
              [&] {
                std::uint64_t mid = 0;
                for (int attempt = 1; attempt <= 3 && mid == 0; ++attempt)
                  mid = replace_and_read(readers, mbtest::scaled(30000, 2000));
                std::printf("      %llu reads of nodes published mid-run\n", static_cast<unsigned long long>(mid));
                CHECK_GT(mid, 0u, "no reader ran while the writer was replacing nodes, in 3 attempts");
              });
  }

  suite.run("destructor frees what is pending; allocator counts the frees", [&] {
    const auto before = mapbench::alloc::thread_counts();
    std::uint64_t retired = 0;
    {
      ebr::Domain d;
      ebr::Guard g(d);  // held across every retire: nothing can be freed early
      for (int i = 0; i < 100; ++i) d.retire_object(mapbench::alloc::make<Node>(Node{1, ~std::uint64_t{1}}));
      d.collect();
      CHECK_EQ(d.reclaimed(), 0u, "freed while the retiring thread was still pinned");
      retired = d.retired();
    }
    // (g ends before d: the destructor runs with no live Guard, as required.)
    const auto after = mapbench::alloc::thread_counts();
    CHECK_EQ(retired, 100u);
    CHECK_EQ(after.allocations - before.allocations, after.frees - before.frees,
             "every node and every retire record is freed through the counting allocator");
    CHECK_EQ(after.bytes_allocated - before.bytes_allocated, after.bytes_freed - before.bytes_freed);
  });

  suite.run("a Guard on another thread holds reclamation back until released; guards nest", [&] {
    ebr::Domain a, b;
    Gate gate;
    std::thread holder([&] {
      ebr::Guard outer(a);
      {
        ebr::Guard inner(b);  // nested over a second domain; its end must not unpin the outer one
      }
      gate.arrive_and_wait();
    });
    gate.wait_for(1);
    b.retire_object(mapbench::alloc::make<Node>(Node{2, ~std::uint64_t{2}}));
    for (int i = 0; i < 4; ++i) b.collect();
    CHECK_EQ(b.reclaimed(), 0u, "freed under a live Guard");
    gate.release.store(true);
    holder.join();
    b.collect();
    CHECK_EQ(b.reclaimed(), 1u, "not freed after the Guard ended");
  });

  suite.run("300 pinned threads that exit do not block reclamation", [&] {
    ebr::Domain d;
    Gate gate;
    std::vector<std::thread> ts;
    const unsigned n = 300;
    for (unsigned i = 0; i < n; ++i) ts.emplace_back([&] {
      ebr::Guard g(d);
      gate.arrive_and_wait();
    });
    gate.wait_for(n);
    d.retire_object(mapbench::alloc::make<Node>(Node{3, ~std::uint64_t{3}}));
    d.collect();
    CHECK_EQ(d.reclaimed(), 0u, "freed while 300 threads were pinned");
    gate.release.store(true);
    for (auto& t : ts) t.join();
    // Threads that pinned and then exited while still registered:
    for (unsigned i = 0; i < 8; ++i) std::thread([&] { ebr::Guard g(d); }).join();
    d.collect();
    CHECK_EQ(d.reclaimed(), 1u, "exited threads still block reclamation");
  });

  suite.run("past kMaxThreads concurrent threads: overflow pins still protect", [&] {
    ebr::Domain d;
    Gate gate;
    std::vector<std::thread> ts;
    const unsigned n = ebr::kMaxThreads + 16;
    for (unsigned i = 0; i < n; ++i) ts.emplace_back([&] {
      ebr::Guard g(d);
      gate.arrive_and_wait();
    });
    gate.wait_for(n);
    d.retire_object(mapbench::alloc::make<Node>(Node{4, ~std::uint64_t{4}}));
    for (int i = 0; i < 4; ++i) d.collect();
    CHECK_EQ(d.reclaimed(), 0u, "freed while threads were pinned");
    gate.release.store(true);
    for (auto& t : ts) t.join();
    d.collect();
    CHECK_EQ(d.reclaimed(), 1u, "overflow pins outlived their threads");
  });

  suite.run("cost of one uncontended Guard (printed)", [&] {
    ebr::Domain d;
    const std::uint64_t n = mbtest::scaled(20000000, 100000);
    std::atomic<std::uint64_t> sink{0};
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t acc = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      ebr::Guard g(d);
      acc += i;
    }
    auto t1 = std::chrono::steady_clock::now();
    sink.store(acc, std::memory_order_relaxed);
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
    std::printf("  %.2f ns per Guard (%s), %llu guards\n", ns, ebr::barrier_kind(),
                static_cast<unsigned long long>(n));
    CHECK_GT(ns, 0.0);
  });

  return suite.finish();
}
