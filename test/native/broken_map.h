// broken_map.h — a deliberately non-linearizable map, for tests only: it
// proves that test_linearizability can fail.
//
// SplitUpdateMap wraps a correct mutex map and breaks update(): instead of
// one locked assign-if-present it does get() (locked), yields, then
// insert() (locked again). An erase that lands in the gap is undone: the
// update returns true and re-creates a key that was erased after it looked,
// so a later get sees the update's value although the erase returned
// first, or a later insert reports "assigned" on a key that should be
// absent. get, insert and erase are the inner map's, and correct.
#pragma once

#include <memory>
#include <thread>

#include "catalogue/catalogue.h"

namespace mbtest {

class SplitUpdateMap final : public mapbench::AnyMap {
 public:
  static constexpr const char* kLabel = "broken:split-update";

  explicit SplitUpdateMap(const mapbench::MapOptions& o) {
    mapbench::MapOptions inner = o;
    inner.design = "mutex";
    inner_ = mapbench::make_map(inner);
    options_ = inner_->options();
    capacity_ = inner_->capacity();
  }

  mapbench::Status get(std::uint64_t key, std::uint64_t* value) override { return inner_->get(key, value); }
  mapbench::Status insert(std::uint64_t key, std::uint64_t value) override { return inner_->insert(key, value); }
  mapbench::Status update(std::uint64_t key, std::uint64_t value) override {
    std::uint64_t seen;
    const mapbench::Status s = inner_->get(key, &seen);  // step 1: is it there?
    if (s != mapbench::Status::kOk) return s;
    std::this_thread::yield();                           // the window
    const mapbench::Status w = inner_->insert(key, value);  // step 2: write, whatever happened meanwhile
    return w == mapbench::Status::kInserted || w == mapbench::Status::kAssigned ? mapbench::Status::kOk : w;
  }
  mapbench::Status erase(std::uint64_t key) override { return inner_->erase(key); }
  // Batches go to the inner map unbroken (only the single update is split).
  mapbench::Status get_batch(const std::uint64_t* keys, std::size_t n, std::uint64_t* values) override {
    return inner_->get_batch(keys, n, values);
  }
  mapbench::Status insert_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n,
                                mapbench::Status* out) override {
    return inner_->insert_batch(keys, values, n, out);
  }
  mapbench::Status update_batch(const std::uint64_t* keys, const std::uint64_t* values, std::size_t n,
                                mapbench::Status* out) override {
    return inner_->update_batch(keys, values, n, out);
  }
  mapbench::Status erase_batch(const std::uint64_t* keys, std::size_t n, mapbench::Status* out) override {
    return inner_->erase_batch(keys, n, out);
  }
  bool batches() const override { return inner_->batches(); }
  std::uint64_t size() override { return inner_->size(); }
  void settle() override { inner_->settle(); }
  mapbench::Diagnostics diagnostics() override { return inner_->diagnostics(); }
  mapbench::WorkerResult run_worker(const mapbench::WorkerSpec& spec, mapbench::Control& ctl) override {
    return inner_->run_worker(spec, ctl);
  }
  mapbench::alloc::Pages::Report pages() override { return inner_->pages(); }
  std::uint64_t key_word(std::uint64_t index) const override { return inner_->key_word(index); }
  const mapbench::KeyArena* arena() const override { return inner_->arena(); }

 private:
  std::unique_ptr<mapbench::AnyMap> inner_;
};

}  // namespace mbtest
