// node_pool.h — a per-map node pool with per-thread free lists, refilled in
// batches, for designs that allocate one heap node per entry. Batches and
// slots come from the map's page policy (alloc::Pages), so the nodes are a
// node arena placed like the rest of the map's memory.
//
// What it is: NodePool<Node> hands out and takes back `Node`s (any type
// with a `Node* next` member, used as the free-list link while the node is
// free). Nodes are carved from batches of kBatchNodes nodes, one counted
// allocation each (alloc::allocate), so after warm-up a thread that frees
// as many nodes as it takes allocates nothing. Batches are freed only by
// the pool's destructor; a node's memory is never returned to the heap
// while the pool lives.
//
// Layout: the pool owns an array of kThreadSlots padded free lists, one per
// small thread id (thread_slot::id(), below), plus one shared overflow list
// and the list of batches, both under `mu_`:
//
//   slots_:  | head count |pad| head count |pad| ...   (kThreadSlots x kPad)
//   mu_ ──►  overflow: free nodes spilled by threads; batches: every batch
//
// Why per-map slots indexed by a thread id, not a thread_local cache keyed
// by the map: the map owns every node and every free list, so destroying
// the map frees everything at once, with no thread-local entry left
// pointing at a dead map and nothing to find on the hot path but an array
// index (a thread_local lookup keyed by map would be a hash probe per op).
// The cost is kThreadSlots x kPad bytes per map (4 KiB) and a cap on the
// threads that get their own list: a thread whose id is >= kThreadSlots
// takes and returns nodes through the shared list under `mu_` (correct,
// only slower).
//
// Threads come and go: a thread's id is released when it exits and the
// next thread to start takes the lowest free id — and with it the free
// nodes the exited thread left in that slot of every pool, so nothing is
// stranded. Ownership of a slot passes through the id registry's mutex
// (release on exit, acquire on start), which orders the old owner's last
// access before the new owner's first.
//
// A node allocated by thread A and freed by thread B goes onto B's list:
// nodes belong to the pool, not to a thread. So a thread that only frees
// would hoard nodes while a thread that only inserts kept allocating new
// batches; to bound that, a list holding more than kSpillAt nodes moves
// kBatchNodes of them to the shared overflow list, and an empty list refills
// from the overflow before it allocates a new batch. Hence free nodes never
// exceed overflow + kThreadSlots * kSpillAt, and a new batch is allocated
// only when the overflow is empty: total nodes <= peak live nodes +
// kThreadSlots * kSpillAt + kBatchNodes.
//
// Invariants
//  1. Every node of every batch is, at any quiescent moment, either handed
//     out (live) or on exactly one free list (a slot's or the overflow).
//  2. slots_[i] is read and written only by the live thread whose id is i.
//  3. `overflow_`, `overflow_count_`, `batches_` and `batch_count_` are
//     guarded by `mu_`.
// Memory ordering: none of its own beyond `mu_` and the id registry's mutex;
// a node handed from one thread to another is ordered by whatever the
// caller uses to publish it (a map's stripe lock).
// Progress: allocate/release are wait-free on the owner's list; refills and
// spills (one op in kBatchNodes) take `mu_`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "runtime/alloc.h"
#include "runtime/common.h"

namespace mapbench {

// A small integer per live thread: the lowest id not held by another live
// thread, taken on first use and released when the thread exits.
namespace thread_slot {

struct Registry {
  std::mutex mu;                      // guards `free_ids` and `next`
  std::vector<std::size_t> free_ids;  // released ids, reused lowest first
  std::size_t next = 0;               // ids below `next` were handed out at least once
};

inline Registry& registry() {
  static Registry* r = new Registry();  // leaked: thread exits may follow static destruction
  return *r;
}

struct Holder {
  std::size_t id = ~std::size_t{0};
  Holder() {
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mu);
    if (r.free_ids.empty()) {
      id = r.next++;
      return;
    }
    // Lowest free id first, so the ids of live threads stay small.
    auto lowest = r.free_ids.begin();
    for (auto it = r.free_ids.begin(); it != r.free_ids.end(); ++it)
      if (*it < *lowest) lowest = it;
    id = *lowest;
    *lowest = r.free_ids.back();
    r.free_ids.pop_back();
  }
  ~Holder() {
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mu);
    r.free_ids.push_back(id);
  }
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;
};

inline std::size_t id() {
  thread_local Holder holder;
  return holder.id;
}

}  // namespace thread_slot

template <class Node>
class NodePool {
 public:
  static constexpr const char* kName = "pool";
  // 64 nodes per batch: one allocation per 64 inserts at worst, and a batch
  // of 24-byte nodes is 1.5 KiB + 8 bytes of header.
  static constexpr std::size_t kBatchNodes = 64;
  static constexpr std::size_t kSpillAt = 2 * kBatchNodes;
  static constexpr std::size_t kThreadSlots = 64;

  struct alignas(kPad) Slot {
    Node* head = nullptr;   // owner thread only (invariant 2)
    std::size_t count = 0;  // nodes on `head`; owner thread only
  };
  static_assert(sizeof(Slot) == kPad && alignof(Slot) == kPad, "one slot per pad: owners never share a line");

  struct Batch {
    Batch* next;  // guarded by the pool's mu_
    Node nodes[kBatchNodes];
  };

  // `pages` places the slots and every batch and outlives the pool.
  explicit NodePool(alloc::Pages& pages)
      : pages_(pages), slots_(static_cast<Slot*>(pages.allocate(sizeof(Slot) * kThreadSlots, alignof(Slot)))) {
    for (std::size_t i = 0; i < kThreadSlots; ++i) new (&slots_[i]) Slot();
  }
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  // Requires: no thread is using the pool. Frees every batch, so any node
  // still handed out dies with it (the owning map's nodes do).
  ~NodePool() {
    for (Batch* b = batches_; b;) {
      Batch* next = b->next;
      pages_.deallocate(b, sizeof(Batch));
      b = next;
    }
    pages_.deallocate(slots_, sizeof(Slot) * kThreadSlots);
  }

  // A node whose fields are unspecified (the caller sets every one).
  Node* allocate() {
    const std::size_t id = thread_slot::id();
    if (id >= kThreadSlots) {
      std::lock_guard<std::mutex> g(mu_);
      if (!overflow_) add_batch_locked(&overflow_, &overflow_count_);
      return pop(&overflow_, &overflow_count_);
    }
    Slot& s = slots_[id];
    if (!s.head) refill(s);
    return pop(&s.head, &s.count);
  }

  // Requires: n came from this pool's allocate() and is no longer reachable.
  void release(Node* n) {
    const std::size_t id = thread_slot::id();
    if (id >= kThreadSlots) {
      std::lock_guard<std::mutex> g(mu_);
      push(&overflow_, &overflow_count_, n);
      return;
    }
    Slot& s = slots_[id];
    push(&s.head, &s.count, n);
    if (s.count > kSpillAt) spill(s);
  }

  // Quiescent only (no thread allocating or releasing).
  std::size_t total_nodes() {
    std::lock_guard<std::mutex> g(mu_);
    return batch_count_ * kBatchNodes;
  }
  std::size_t free_nodes() {
    std::lock_guard<std::mutex> g(mu_);
    std::size_t n = overflow_count_;
    for (std::size_t i = 0; i < kThreadSlots; ++i) n += slots_[i].count;
    return n;
  }
  std::size_t bytes() {
    std::lock_guard<std::mutex> g(mu_);
    return batch_count_ * sizeof(Batch) + kThreadSlots * sizeof(Slot);
  }
  // Visits every free node (quiescent only), for structural audits.
  template <class F>
  void for_each_free(F f) {
    std::lock_guard<std::mutex> g(mu_);
    for (Node* n = overflow_; n; n = n->next) f(n);
    for (std::size_t i = 0; i < kThreadSlots; ++i)
      for (Node* n = slots_[i].head; n; n = n->next) f(n);
  }
  // Visits every node of every batch (quiescent only).
  template <class F>
  void for_each_node(F f) {
    std::lock_guard<std::mutex> g(mu_);
    for (Batch* b = batches_; b; b = b->next)
      for (Node& n : b->nodes) f(&n);
  }

 private:
  static Node* pop(Node** head, std::size_t* count) {
    Node* n = *head;
    *head = n->next;
    *count -= 1;
    return n;
  }
  static void push(Node** head, std::size_t* count, Node* n) {
    n->next = *head;
    *head = n;
    *count += 1;
  }

  // Refills an empty slot: up to a batch from the overflow, else a new batch.
  void refill(Slot& s) {
    std::lock_guard<std::mutex> g(mu_);
    if (!overflow_) {
      add_batch_locked(&s.head, &s.count);
      return;
    }
    for (std::size_t i = 0; i < kBatchNodes && overflow_; ++i)
      push(&s.head, &s.count, pop(&overflow_, &overflow_count_));
  }

  // Moves a batch's worth of a slot's nodes to the overflow list.
  void spill(Slot& s) {
    std::lock_guard<std::mutex> g(mu_);
    for (std::size_t i = 0; i < kBatchNodes; ++i) push(&overflow_, &overflow_count_, pop(&s.head, &s.count));
  }

  // Requires: mu_ held. Allocates a batch and pushes all its nodes on *head.
  void add_batch_locked(Node** head, std::size_t* count) {
    auto* b = static_cast<Batch*>(pages_.allocate(sizeof(Batch), alignof(Batch)));
    b->next = batches_;
    batches_ = b;
    batch_count_ += 1;
    for (std::size_t i = kBatchNodes; i-- > 0;) push(head, count, &b->nodes[i]);
  }

  alloc::Pages& pages_;
  Slot* const slots_;  // kThreadSlots slots; invariant 2
  std::mutex mu_;      // guards the four fields below
  Node* overflow_ = nullptr;
  std::size_t overflow_count_ = 0;
  Batch* batches_ = nullptr;
  std::size_t batch_count_ = 0;
};

// The plain policy: one counted heap allocation per node, freed at once —
// the system allocator is what this policy measures, so its nodes stay on
// the heap whatever the page policy (which places the map's other memory).
template <class Node>
class HeapNodes {
 public:
  static constexpr const char* kName = "heap";
  // Through the Pages only so that its ledger counts the heap bytes.
  explicit HeapNodes(alloc::Pages& pages) : pages_(pages) {}
  Node* allocate() { return static_cast<Node*>(pages_.allocate(sizeof(Node), alignof(Node))); }
  void release(Node* n) { pages_.deallocate(n, sizeof(Node)); }

 private:
  static_assert(sizeof(Node) < alloc::Pages::kPlacedMin, "a node comes from the heap");
  alloc::Pages& pages_;
};

}  // namespace mapbench
