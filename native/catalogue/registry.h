// registry.h — the process-wide registry of live maps: id ->
// shared_ptr<AnyMap> under one mutex. Any thread (any Node isolate) may
// look a map up; each caller keeps its own shared_ptr for as long as it
// works on the map, so destroy while workers run only drops the registry's
// reference and the last user frees the map. Ids are never reused within a
// process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "catalogue/any_map.h"

namespace mapbench::registry {

std::uint64_t add(std::shared_ptr<AnyMap> map);
std::shared_ptr<AnyMap> find(std::uint64_t id);  // nullptr if unknown or destroyed
bool remove(std::uint64_t id);
std::size_t live_count();

}  // namespace mapbench::registry
