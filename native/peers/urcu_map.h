// urcu_map.h — userspace RCU's lock-free resizable hash table, cds_lfht
// (Debian liburcu-dev), behind mapbench's op set.
//
// What it is: a split-ordered list (one lock-free linked list sorted by
// bit-reversed hash) with an index of bucket nodes into it; lookups run
// inside RCU read-side critical sections and never block; removed nodes are
// freed only after a grace period, when no reader can still hold them.
//
//   buckets (order tables) ─► ··· ─► bucket ─► node{link, key, value, rcu} ─► node ─► bucket ─► ···
//
// Flavour: urcu-memb. Its readers pay only compiler barriers (writers'
// synchronize_rcu uses the membarrier system call to order them), it needs
// no signal (urcu-signal would take one from Node's process), and readers
// need not announce quiescent states (urcu-qsbr would stall every grace
// period on a Node pool thread that sits idle between runs). The read-side
// lock and unlock are calls into liburcu-memb: the inline fast path needs
// _LGPL_SOURCE, which would bind this MIT addon to the LGPL.
//
// Threads: every thread that touches the table must be registered with the
// flavour. Registration is per thread per process, not per map: the first
// op a thread makes on any urcu map registers it, and a thread_local guard
// unregisters it when the thread exits — Node's pool threads outlive maps,
// and a map's destruction must not unregister a thread other maps (or a
// later map) still use.
//
// Values and erase: a node's value is one atomic word, so assignment is a
// CAS in place. Erase is two-step: first the value is swapped to kDead
// (2^64-1, a value the project reserves, so no user value collides) — the
// logical deletion and erase's linearization point — then the node is
// unlinked with cds_lfht_del. An insert that meets a dead node puts a
// fresh node in its place with cds_lfht_replace. Whoever unlinks a node
// (del or replace, and the library lets exactly one succeed) hands it to
// call_rcu, which frees it after a grace period.
//
// Invariants
//  1. At most one node per key is in the table (add_unique, and replace of
//     a node by one with the same key).
//  2. A node's key never changes; its value goes to kDead at most once and
//     never leaves it.
//  3. A node whose value is not kDead is in the table: nodes are unlinked
//     only after being marked dead.
//  So "key present" ⇔ its node is in the table with a live value.
// Memory ordering: a node's fields are written before the library
// publishes it (add_unique/replace are full-barrier cmpxchgs; readers follow
// links with rcu_dereference). Value CASes are acq_rel and value loads
// acquire, as in LockFreeMap: whoever reads a value sees what its writer
// did before writing it.
// Linearization points: get/update at the value load/CAS (a dead value
// proves the key absent: when it was marked, its node was the key's only
// one); insert at the successful value CAS, add_unique or replace; erase at
// the CAS to kDead (or the load that saw it dead or the lookup that found
// nothing).
// Progress: lookups wait-free up to the chain length; updates lock-free
// (a failed CAS, add_unique or replace means another op succeeded).
// Growth: CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING — the library grows
// (and shrinks; the initial buckets stay allocated) the bucket index from a
// background worker as chains lengthen or the count changes.
// Capacity hint: the table starts with, and never allocates fewer than,
// the next power of two at or above the mapbench capacity, in buckets.
// Allocation: nodes come from mapbench's counting allocator (one per new
// key; frees are counted on the call_rcu thread that runs them). The
// bucket index is allocated by the library itself (calloc), uncounted: its
// memory-management hook cannot be wrapped (the table remembers the hook's
// own functions, not the caller's).
// Diagnostics: entries and node bytes only. The bucket count lives in the
// library's private struct, so capacity, load factor and resize count are
// reported as 0 (unknown).
#pragma once

#include <urcu/urcu-memb.h>
// The flavour header must come first (rculfhash.h says so).
#include <urcu/rculfhash.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "catalogue/any_map.h"
#include "peers/peer_adapter.h"
#include "runtime/alloc.h"
#include "runtime/common.h"

namespace mapbench {

namespace urcu {
// Registers the calling thread with urcu-memb once per thread; unregisters
// it at thread exit (urcu_map.cc).
inline thread_local bool t_registered = false;  // owning thread only
void register_this_thread();
inline void ensure_registered() {
  if (__builtin_expect(!t_registered, 0)) register_this_thread();
}
}  // namespace urcu

class alignas(kPad) UrcuMap {
 public:
  static constexpr std::uint64_t kDead = kReservedValue;

  struct Node {
    cds_lfht_node link;                // the library's; guarded by its protocol
    std::uint64_t key;                 // immutable once published (invariant 2)
    std::atomic<std::uint64_t> value;  // kDead once erased (invariant 2)
    rcu_head rcu;                      // used once, by call_rcu after unlinking
  };

  explicit UrcuMap(std::size_t capacity);
  UrcuMap(const UrcuMap&) = delete;
  UrcuMap& operator=(const UrcuMap&) = delete;
  ~UrcuMap();

  template <class Sink = NoStats>
  bool get(std::uint64_t key, std::uint64_t* value, Sink& sink) const {
    urcu::ensure_registered();
    urcu_memb_read_lock();
    bool hit = false;
    if (Node* n = lookup(key, nullptr)) {
      const std::uint64_t v = n->value.load(std::memory_order_acquire);
      if (v != kDead) {
        *value = v;
        hit = true;
      }
    }
    urcu_memb_read_unlock();
    sink.probe(1, hit);
    return hit;
  }

  template <class Sink = NoStats>
  Status insert(std::uint64_t key, std::uint64_t value, Sink& sink) {
    urcu::ensure_registered();
    const unsigned long hash = hash_key(key);
    Node* fresh = nullptr;  // ours until published; reused across retries
    Status result = Status::kInserted;
    urcu_memb_read_lock();
    for (;;) {
      cds_lfht_iter it;
      if (Node* n = lookup(key, &it)) {
        std::uint64_t v = n->value.load(std::memory_order_acquire);
        bool assigned = false;
        while (v != kDead) {
          if (n->value.compare_exchange_weak(v, value, std::memory_order_acq_rel, std::memory_order_acquire)) {
            assigned = true;
            break;
          }
          sink.cas_failure();
        }
        if (assigned) {
          result = Status::kAssigned;
          break;
        }
        // n is logically erased: put a fresh node in its place.
        if (!fresh) fresh = make_node(key, value);
        if (cds_lfht_replace(ht_, &it, hash, match, &key, &fresh->link) == 0) {
          urcu_memb_call_rcu(&n->rcu, free_node);  // we unlinked n
          fresh = nullptr;
          break;
        }
        sink.cas_failure();  // n was unlinked by its eraser or replaced by another insert
        continue;
      }
      if (!fresh) fresh = make_node(key, value);
      if (cds_lfht_add_unique(ht_, hash, match, &key, &fresh->link) == &fresh->link) {
        fresh = nullptr;
        break;
      }
      sink.cas_failure();  // another insert of the key won; assign over it
    }
    urcu_memb_read_unlock();
    if (fresh) alloc::destroy(fresh);  // never published
    return result;
  }

  template <class Sink = NoStats>
  bool update(std::uint64_t key, std::uint64_t value, Sink& sink) {
    urcu::ensure_registered();
    urcu_memb_read_lock();
    bool hit = false;
    if (Node* n = lookup(key, nullptr)) {
      std::uint64_t v = n->value.load(std::memory_order_acquire);
      while (v != kDead) {
        if (n->value.compare_exchange_weak(v, value, std::memory_order_acq_rel, std::memory_order_acquire)) {
          hit = true;
          break;
        }
        sink.cas_failure();
      }
    }
    urcu_memb_read_unlock();
    return hit;
  }

  template <class Sink = NoStats>
  bool erase(std::uint64_t key, Sink& sink) {
    urcu::ensure_registered();
    urcu_memb_read_lock();
    bool hit = false;
    if (Node* n = lookup(key, nullptr)) {
      std::uint64_t v = n->value.load(std::memory_order_acquire);
      while (v != kDead) {
        if (n->value.compare_exchange_weak(v, kDead, std::memory_order_acq_rel, std::memory_order_acquire)) {
          hit = true;
          // Unlink; if an insert's replace got there first, it frees n.
          if (cds_lfht_del(ht_, &n->link) == 0) urcu_memb_call_rcu(&n->rcu, free_node);
          break;
        }
        sink.cas_failure();
      }
    }
    urcu_memb_read_unlock();
    return hit;
  }

  // Live keys (nodes with a live value); exact when no writer runs.
  std::size_t size() const;
  void diagnose(Diagnostics& d) const;

 private:
  static int match(cds_lfht_node* link, const void* key) {
    return node_of(link)->key == *static_cast<const std::uint64_t*>(key);
  }
  static Node* node_of(cds_lfht_node* link) {
    return reinterpret_cast<Node*>(reinterpret_cast<char*>(link) - offsetof(Node, link));
  }
  static Node* make_node(std::uint64_t key, std::uint64_t value) {
    Node* n = alloc::make<Node>();
    n->key = key;
    n->value.store(value, std::memory_order_relaxed);  // published by the library's cmpxchg
    return n;
  }
  static void free_node(rcu_head* head);

  // Inside a read-side critical section: the key's node, or nullptr.
  Node* lookup(std::uint64_t key, cds_lfht_iter* it_out) const {
    cds_lfht_iter it;
    cds_lfht_lookup(ht_, hash_key(key), match, &key, &it);
    cds_lfht_node* link = cds_lfht_iter_get_node(&it);
    if (it_out) *it_out = it;
    return link ? node_of(link) : nullptr;
  }

  cds_lfht* ht_;  // immutable pointer; the table is the library's
};

}  // namespace mapbench
