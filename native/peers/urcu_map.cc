// urcu_map.cc — the out-of-line parts of UrcuMap: thread registration,
// construction and teardown, the node-freeing callback and the full-table
// walks (size, diagnostics).
#ifdef MAPBENCH_HAVE_URCU

#include "peers/urcu_map.h"

#include <new>

namespace mapbench {

namespace urcu {
namespace {
// Constructed on a thread's first registration; its destructor runs at
// that thread's exit, when no op of the thread can be in flight.
struct Unregister {
  ~Unregister() {
    if (!t_registered) return;
    urcu_memb_unregister_thread();
    t_registered = false;
  }
};
}  // namespace

void register_this_thread() {
  urcu_memb_register_thread();
  t_registered = true;
  static thread_local Unregister guard;
  (void)guard;
}
}  // namespace urcu

namespace {
unsigned long next_power_of_two(std::size_t n) {
  unsigned long p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

UrcuMap::UrcuMap(std::size_t capacity) {
  const unsigned long buckets = next_power_of_two(capacity);
  ht_ =
      cds_lfht_new_flavor(buckets, buckets, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, &urcu_memb_flavor, nullptr);
  if (!ht_) throw std::bad_alloc();
}

UrcuMap::~UrcuMap() {
  // No other thread can reach this map any more (its last owner is gone),
  // but the library's rules still apply: unlink under a read-side lock,
  // free after a grace period, destroy from a registered thread outside any
  // read-side critical section.
  urcu::ensure_registered();
  urcu_memb_read_lock();
  cds_lfht_iter it;
  cds_lfht_node* link;
  cds_lfht_for_each(ht_, &it, link) {
    if (cds_lfht_del(ht_, link) == 0) urcu_memb_call_rcu(&node_of(link)->rcu, free_node);
  }
  urcu_memb_read_unlock();
  // Wait for every queued free (ours and earlier erases') so the nodes are
  // gone when the map is — tests and leak checkers see a clean process.
  urcu_memb_barrier();
  cds_lfht_destroy(ht_, nullptr);
}

void UrcuMap::free_node(rcu_head* head) {
  Node* n = reinterpret_cast<Node*>(reinterpret_cast<char*>(head) - offsetof(Node, rcu));
  alloc::destroy(n);
}

std::size_t UrcuMap::size() const {
  urcu::ensure_registered();
  std::size_t n = 0;
  urcu_memb_read_lock();
  cds_lfht_iter it;
  cds_lfht_node* link;
  cds_lfht_for_each(ht_, &it, link) { n += node_of(link)->value.load(std::memory_order_acquire) != kDead; }
  urcu_memb_read_unlock();
  return n;
}

void UrcuMap::diagnose(Diagnostics& d) const {
  d.entries = size();
  d.table_bytes = d.entries * sizeof(Node);
}

}  // namespace mapbench

#endif  // MAPBENCH_HAVE_URCU
