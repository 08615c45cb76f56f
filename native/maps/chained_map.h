// chained_map.h — separate chaining, one heap node per entry, under lock
// striping.
//
//   chained       ChainedMap<Lock, HeapNodes<ChainNode>>  a counted heap
//                 allocation per insert, a free per erase
//   chained-pool  ChainedMap<Lock, NodePool<ChainNode>>   nodes from the
//                 map's per-thread free lists, refilled in batches of 64
//                 (node_pool.h); no allocation in the steady state
// With string keys (ChainedMap<Lock, Nodes, StrKeys<>>, key_policy.h) a
// node's key word is the tagged address of its key's record, allocated
// with the node (on the counted heap for both forms: the pool keeps nodes,
// not records) and freed with it.
//
// Layout: a power-of-two array of bucket heads (8 bytes each, eight to a
// line) and a power-of-two array of S stripes, each a lock and its stripe's
// entry count padded to kPad. Bucket b is guarded by stripe b & (S - 1), so
// the buckets of one line are guarded by up to eight different stripes and
// consecutive buckets by different locks:
//
//   stripes_: | lock size |pad| lock size |pad| ...            (S x kPad)
//   buckets_: [h0][h1][h2]...[h7] | [h8]...                    (B x 8 bytes)
//              │
//              └─► {key, value, next} ─► {key, value, next} ─► null
//
// The bucket of a key is the top log2(B) bits of its hash (P::hash). B =
// expected entries / load factor rounded up to a power of two (at least S),
// and it never changes: the chains lengthen instead, so insert never
// returns kFull and the load factor (entries / buckets) may exceed 1.
//
// Invariants (each holds for a stripe's buckets whenever its lock is free)
//  1. Every live node is reachable from exactly one bucket head: the bucket
//     of its key. Chains are acyclic and null-terminated.
//  2. A key occurs in at most one node.
//  3. stripes_[s].size == the number of nodes in the buckets of stripe s.
//  4. buckets_[b] and every node in its chain are read and written only
//     under stripes_[b & (S - 1)].lock (shared for get, exclusive for
//     writes); a node is allocated before it is linked and released only
//     after it is unlinked and the lock dropped, by the thread that
//     unlinked it.
// Memory ordering: the stripe lock's acquire on entry and release on exit
// order every bucket and node access after the previous holder's; a node
// linked by one thread and read or unlinked by another is published by that
// lock. Nothing is read outside the lock. size() sums the stripes one lock
// at a time, so under concurrent writes it is not a snapshot.
// Progress: blocking per stripe. A get holds its stripe (shared with an
// RwLock) for one chain walk; an insert that adds a key allocates its node
// inside the lock (only then is a node needed, so an assignment allocates
// nothing); an erase frees its node after dropping the lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "maps/key_policy.h"
#include "maps/locks.h"
#include "maps/node_pool.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"

namespace mapbench {

struct ChainNode {
  std::uint64_t key;    // the key word (key_policy.h); immutable while linked
  std::uint64_t value;  // guarded by the bucket's stripe lock
  ChainNode* next;      // guarded by the bucket's stripe lock; free-list link in a pool
};
static_assert(sizeof(ChainNode) == 24);

// Requires: n >= 1. The smallest power of two >= n.
inline std::uint64_t round_up_pow2(std::uint64_t n) {
  std::uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

template <class Lock, class Nodes, class P = U64Keys>
class ChainedMap {
 public:
  using Key = typename P::Key;
  struct alignas(kPad) Stripe {
    Lock lock;
    std::uint64_t size = 0;  // guarded by lock; invariant 3
  };
  static_assert(alignof(Stripe) == kPad && sizeof(Stripe) % kPad == 0, "a stripe owns its pad");

  // Requires: buckets and stripes are powers of two, stripes <= buckets.
  // `pages` places the bucket array, the stripes and (chained-pool) the
  // node batches, and outlives the map.
  ChainedMap(alloc::Pages& pages, std::size_t buckets, std::size_t stripes)
      : pages_(pages),
        nodes_(pages),
        bucket_count_(buckets),
        bucket_shift_(64 - log2(buckets)),
        stripe_mask_(stripes - 1) {
    MB_DCHECK(buckets >= 1 && (buckets & (buckets - 1)) == 0);
    MB_DCHECK(stripes >= 1 && (stripes & (stripes - 1)) == 0 && stripes <= buckets);
    stripes_ = static_cast<Stripe*>(pages_.allocate(sizeof(Stripe) * stripes, alignof(Stripe)));
    for (std::size_t i = 0; i < stripes; ++i) new (&stripes_[i]) Stripe();
    buckets_ = static_cast<ChainNode**>(pages_.allocate_table(bucket_bytes()));
  }
  ChainedMap(const ChainedMap&) = delete;
  ChainedMap& operator=(const ChainedMap&) = delete;
  // Requires: no thread is using the map.
  ~ChainedMap() {
    for (std::size_t b = 0; b < bucket_count_; ++b) {
      for (ChainNode* n = buckets_[b]; n;) {
        ChainNode* next = n->next;
        P::release(n->key);
        nodes_.release(n);
        n = next;
      }
    }
    pages_.free_table(buckets_, bucket_bytes());
    for (std::size_t i = 0; i <= stripe_mask_; ++i) stripes_[i].~Stripe();
    pages_.deallocate(stripes_, sizeof(Stripe) * (stripe_mask_ + 1));
  }

  template <class Sink = NoStats>
  bool get(Key key, std::uint64_t* value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    const std::size_t b = bucket_of_hash(h);
    Stripe& s = stripe_of(b);
    acquire_shared(s.lock, sink);
    std::uint32_t probes = 1;
    bool hit = false;
    for (const ChainNode* n = buckets_[b]; n; n = n->next, ++probes) {
      if (P::matches(n->key, key, h)) {
        *value = n->value;
        hit = true;
        break;
      }
    }
    s.lock.unlock_shared();
    sink.probe(probes, hit);
    return hit;
  }

  template <class Sink = NoStats>
  Status insert(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    const std::size_t b = bucket_of_hash(h);
    Stripe& s = stripe_of(b);
    acquire(s.lock, sink);
    std::uint32_t probes = 1;
    for (ChainNode* n = buckets_[b]; n; n = n->next, ++probes) {
      if (P::matches(n->key, key, h)) {
        n->value = value;
        s.lock.unlock();
        sink.probe(probes, true);
        return Status::kAssigned;
      }
    }
    // New keys go to the head: the most recently inserted keys are found
    // first, and linking touches only the bucket word.
    ChainNode* fresh = nodes_.allocate();
    fresh->key = P::store(key, h);
    fresh->value = value;
    fresh->next = buckets_[b];
    buckets_[b] = fresh;
    s.size += 1;
    s.lock.unlock();
    sink.probe(probes, false);
    return Status::kInserted;
  }

  template <class Sink = NoStats>
  bool update(Key key, std::uint64_t value, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    const std::size_t b = bucket_of_hash(h);
    Stripe& s = stripe_of(b);
    acquire(s.lock, sink);
    std::uint32_t probes = 1;
    for (ChainNode* n = buckets_[b]; n; n = n->next, ++probes) {
      if (P::matches(n->key, key, h)) {
        n->value = value;
        s.lock.unlock();
        sink.probe(probes, true);
        return true;
      }
    }
    s.lock.unlock();
    sink.probe(probes, false);
    return false;
  }

  template <class Sink = NoStats>
  bool erase(Key key, Sink& sink) {
    const std::uint64_t h = P::hash(key);
    const std::size_t b = bucket_of_hash(h);
    Stripe& s = stripe_of(b);
    acquire(s.lock, sink);
    std::uint32_t probes = 1;
    ChainNode* doomed = nullptr;
    for (ChainNode** link = &buckets_[b]; *link; link = &(*link)->next, ++probes) {
      if (P::matches((*link)->key, key, h)) {
        doomed = *link;
        *link = doomed->next;
        s.size -= 1;
        break;
      }
    }
    s.lock.unlock();
    sink.probe(probes, doomed != nullptr);
    if (!doomed) return false;
    P::release(doomed->key);  // unlinked and unlocked: no other thread can reach it
    nodes_.release(doomed);
    return true;
  }

  std::size_t size() {
    std::size_t n = 0;
    for (std::size_t i = 0; i <= stripe_mask_; ++i) {
      stripes_[i].lock.lock_shared();
      n += stripes_[i].size;
      stripes_[i].lock.unlock_shared();
    }
    return n;
  }

  std::size_t bucket_count() const { return bucket_count_; }
  std::size_t stripe_count() const { return stripe_mask_ + 1; }
  std::size_t bucket_bytes() const { return bucket_count_ * sizeof(ChainNode*); }
  std::size_t bucket_of_hash(std::uint64_t hash) const {
    // Top bits: the hash's high bits are as well mixed as its low ones, and
    // the stripe (low bits of the bucket index) then varies within a line.
    return bucket_shift_ == 64 ? 0 : static_cast<std::size_t>(hash >> bucket_shift_);
  }
  // The bucket of a stored key word.
  std::size_t bucket_of_word(std::uint64_t word) const { return bucket_of_hash(P::hash_of_word(word)); }
  Nodes& nodes() { return nodes_; }

  // Visits every chain under its stripe's lock: f(bucket, position in the
  // chain (1 = head), node). A chain longer than every node the stripes
  // count (a cycle) is cut there, so a broken map cannot hang its audit.
  template <class F>
  void for_each_node(F f) {
    for (std::size_t b = 0; b < bucket_count_; ++b) {
      Stripe& s = stripe_of(b);
      s.lock.lock_shared();
      const std::uint64_t bound = s.size + 1;
      std::uint64_t pos = 1;
      for (const ChainNode* n = buckets_[b]; n && pos <= bound; n = n->next, ++pos) f(b, pos, *n);
      s.lock.unlock_shared();
    }
  }

  // Quiescent only. Checks invariants 1-3 (and, for a pool, that every node
  // of every batch is live or free, never both); empty when they hold,
  // else the first violation.
  std::string audit() {
    std::unordered_set<const ChainNode*> live;
    std::unordered_set<std::uint64_t> keys;
    std::string bad;
    std::uint64_t counted = 0;
    for (std::size_t b = 0; b < bucket_count_ && bad.empty(); ++b) {
      std::uint64_t chain = 0;
      for (const ChainNode* n = buckets_[b]; n && bad.empty(); n = n->next) {
        if (!live.insert(n).second)
          bad = "node reached twice (from bucket " + std::to_string(b) + ")";
        else if (bucket_of_word(n->key) != b)
          bad = "key in bucket " + std::to_string(b) + " belongs elsewhere";
        else if (!keys.insert(n->key).second)
          bad = "key stored twice";
        chain += 1;
      }
      counted += chain;
    }
    if (!bad.empty()) return bad;
    std::uint64_t sizes = 0;
    for (std::size_t i = 0; i <= stripe_mask_; ++i) sizes += stripes_[i].size;
    if (sizes != counted)
      return "stripe sizes sum to " + std::to_string(sizes) + " but " + std::to_string(counted) + " nodes are linked";
    if constexpr (requires(Nodes & p) { p.for_each_free([](ChainNode*) {}); }) {
      std::uint64_t free_count = 0;
      nodes_.for_each_free([&](ChainNode* n) {
        free_count += 1;
        if (bad.empty() && live.count(n)) bad = "a linked node is also on a free list";
      });
      if (!bad.empty()) return bad;
      std::uint64_t all = 0;
      nodes_.for_each_node([&](ChainNode*) { all += 1; });
      if (all != counted + free_count)
        return "pool holds " + std::to_string(all) + " nodes but " + std::to_string(counted) + " are linked and " +
               std::to_string(free_count) + " free";
    }
    return {};
  }

 private:
  static std::size_t log2(std::size_t n) {
    std::size_t b = 0;
    while ((std::size_t{1} << b) < n) ++b;
    return b;
  }
  Stripe& stripe_of(std::size_t bucket) { return stripes_[bucket & stripe_mask_]; }

  alloc::Pages& pages_;             // the map's page policy
  Stripe* stripes_;                 // immutable pointer; each stripe per invariant 3
  ChainNode** buckets_;             // immutable pointer; heads per invariant 4
  Nodes nodes_;                     // the allocation policy (node_pool.h)
  const std::size_t bucket_count_;  // immutable
  const std::size_t bucket_shift_;  // immutable: 64 - log2(bucket_count_)
  const std::size_t stripe_mask_;   // immutable: stripes - 1
};

}  // namespace mapbench
