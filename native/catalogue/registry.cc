// registry.cc — the live maps (registry.h).
#include "catalogue/registry.h"

#include <mutex>
#include <unordered_map>

namespace mapbench {
namespace registry {
namespace {
struct State {
  std::mutex mu;  // guards maps and next_id
  std::unordered_map<std::uint64_t, std::shared_ptr<AnyMap>> maps;
  std::uint64_t next_id = 1;
};
State& state() {
  static State* s = new State();  // leaked: workers may outlive static destruction
  return *s;
}
}  // namespace

std::uint64_t add(std::shared_ptr<AnyMap> map) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  std::uint64_t id = s.next_id++;
  s.maps.emplace(id, std::move(map));
  return id;
}

std::shared_ptr<AnyMap> find(std::uint64_t id) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.maps.find(id);
  return it == s.maps.end() ? nullptr : it->second;
}

bool remove(std::uint64_t id) {
  std::shared_ptr<AnyMap> doomed;  // freed outside the lock
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.maps.find(id);
  if (it == s.maps.end()) return false;
  doomed = std::move(it->second);
  s.maps.erase(it);
  return true;
}

std::size_t live_count() {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return s.maps.size();
}

}  // namespace registry
}  // namespace mapbench
