// map_adapter.h — the one implementation of AnyMap: MapAdapter<M> wraps a
// concrete map (a native design or a peer library's adapter), checks the
// sentinels on single operations, and instantiates run_worker for M itself,
// so a timed loop over any map makes no virtual call per op.
//
// Diagnostics: diagnose(map, d) is looked up by argument-dependent lookup
// when MapAdapter<M> is instantiated. The native designs' overloads live in
// diagnose.h; a map with a diagnose(Diagnostics&) member (every peer)
// is served by the fallback below. finish_probe_summary then derives the
// mean and maximum probe length and the load factor the same way for all.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "catalogue/any_map.h"
#include "catalogue/diagnose.h"
#include "catalogue/string_keyed.h"
#include "runtime/batch.h"
#include "runtime/common.h"
#include "runtime/op_stats.h"
#include "runtime/runner.h"

namespace mapbench {

// For maps that fill their diagnostics themselves.
template <class M>
auto diagnose(M& m, Diagnostics& d) -> decltype(m.diagnose(d)) {
  m.diagnose(d);
}
// A string-keyed map reports what its own map reports.
template <class M>
void diagnose(StringKeyed<M>& m, Diagnostics& d) {
  diagnose(m.inner(), d);
}

// The page policy is applied here, once for every design: the adapter owns
// the map's alloc::Pages (declared before the map, so it outlives the map
// and everything the map retires) and hands it to the map's constructor as
// its first argument; a map that allocates nothing (null) takes none.
template <class M>
class MapAdapter final : public AnyMap {
 public:
  template <class... Args>
  MapAdapter(const MapOptions& o, std::uint64_t capacity, Args&&... args)
      : pages_(o.huge_pages), map_(make_with_pages<M>(pages_, std::forward<Args>(args)...)) {
    options_ = o;
    capacity_ = capacity;
  }

  Status get(std::uint64_t key, std::uint64_t* value) override {
    if (!accepts(key)) return Status::kReservedKey;
    NoStats s;
    return direct().get(key_arg(key), value, s) ? Status::kOk : Status::kNotFound;
  }
  Status insert(std::uint64_t key, std::uint64_t value) override {
    if (!accepts(key) || !is_user_value(value)) return Status::kReservedKey;
    NoStats s;
    return direct().insert(key_arg(key), value, s);
  }
  Status update(std::uint64_t key, std::uint64_t value) override {
    if (!accepts(key) || !is_user_value(value)) return Status::kReservedKey;
    NoStats s;
    return direct().update(key_arg(key), value, s) ? Status::kOk : Status::kNotFound;
  }
  Status erase(std::uint64_t key) override {
    if (!accepts(key)) return Status::kReservedKey;
    NoStats s;
    return direct().erase(key_arg(key), s) ? Status::kOk : Status::kNotFound;
  }
  Status get_batch(const std::uint64_t* keys, std::size_t n, std::uint64_t* values) override {
    if (!user_keys(keys, n)) return Status::kReservedKey;
    NoStats s;
    batched(keys, n, [&](std::size_t i, auto& m) {
      if (!m.get(key_arg(keys[i]), &values[i], s)) values[i] = kReservedValue;
    });
    return Status::kOk;
  }
  Status insert_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, Status* out) override {
    if (!user_keys(keys, n) || !user_values(values, n)) return Status::kReservedKey;
    NoStats s;
    batched(keys, n, [&](std::size_t i, auto& m) { out[i] = m.insert(key_arg(keys[i]), values[i], s); });
    return Status::kOk;
  }
  Status update_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n, Status* out) override {
    if (!user_keys(keys, n) || !user_values(values, n)) return Status::kReservedKey;
    NoStats s;
    batched(keys, n, [&](std::size_t i, auto& m) {
      out[i] = m.update(key_arg(keys[i]), values[i], s) ? Status::kOk : Status::kNotFound;
    });
    return Status::kOk;
  }
  Status erase_batch(const std::uint64_t* keys, std::size_t n, Status* out) override {
    if (!user_keys(keys, n)) return Status::kReservedKey;
    NoStats s;
    batched(keys, n,
            [&](std::size_t i, auto& m) { out[i] = m.erase(key_arg(keys[i]), s) ? Status::kOk : Status::kNotFound; });
    return Status::kOk;
  }
  bool batches() const override { return !kStrings && BatchingMap<M>; }
  std::uint64_t size() override { return map_.size(); }
  void settle() override {
    if constexpr (requires(M & m) { m.settle(); }) map_.settle();
  }
  Diagnostics diagnostics() override {
    Diagnostics d;
    d.design = options_.design;
    diagnose(map_, d);
    finish_probe_summary(d);
    return d;
  }
  WorkerResult run_worker(const WorkerSpec& spec, Control& ctl) override {
    if constexpr (kStrings) {
      WorkerSpec indexed = spec;  // the tape is built from key indices
      indexed.workload.indexed_keys = true;
      return mapbench::run_worker(map_, indexed, ctl);
    } else {
      return mapbench::run_worker(map_, spec, ctl);
    }
  }
  std::uint64_t key_word(std::uint64_t index) const override {
    return kStrings ? index + kFirstUserKey : key_of(index);
  }
  const KeyArena* arena() const override {
    if constexpr (kStrings)
      return &map_.arena();
    else
      return nullptr;
  }
  alloc::Pages::Report pages() override { return pages_.report(); }

 private:
  static constexpr bool kStrings = kIsStringKeyed<M>;
  // Single ops and batches reach a string-keyed map's own map with the
  // arena's key for the word (string_keyed.h); an integer map takes the word.
  auto& direct() {
    if constexpr (kStrings)
      return map_.inner();
    else
      return map_;
  }
  auto key_arg(std::uint64_t word) const {
    if constexpr (kStrings)
      return map_.key(word);
    else
      return word;
  }
  bool accepts(std::uint64_t word) const {
    if constexpr (kStrings)
      return map_.accepts(word);
    else
      return is_user_key(word);
  }
  // String-keyed maps run a batch op by op (they do not prefetch).
  template <class F>
  void batched(const std::uint64_t* keys, std::size_t n, F f) {
    if constexpr (kStrings)
      for (std::size_t i = 0; i < n; ++i) f(i, direct());
    else
      for_each_batched(map_, keys, n, f);
  }
  bool user_keys(const std::uint64_t* keys, std::size_t n) const {
    return std::all_of(keys, keys + n, [&](std::uint64_t k) { return accepts(k); });
  }
  static bool user_values(const std::uint64_t* values, std::size_t n) {
    return std::all_of(values, values + n, [](std::uint64_t v) { return is_user_value(v); });
  }

  alloc::Pages pages_;
  M map_;
};

// A string-keyed M (string_keyed.h) behind AnyMap, with its arena of
// 2 x expected_entries keys made from o.key_seed; M is built from
// (capacity, extra...) like any design.
template <class M, class... Extra>
std::unique_ptr<AnyMap> adapt_strings(const MapOptions& o, std::uint64_t capacity, Extra... extra) {
  auto arena = std::make_shared<const KeyArena>(o.key_type, o.expected_entries, o.key_seed);
  return std::make_unique<MapAdapter<StringKeyed<M>>>(o, capacity, std::move(arena), capacity, extra...);
}

}  // namespace mapbench
