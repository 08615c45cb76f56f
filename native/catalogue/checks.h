// checks.h — what the harness does to a map around a run: fill it with
// the workload's key set before, and check it is still consistent after.
#pragma once

#include <cstdint>
#include <string>

#include "catalogue/any_map.h"

namespace mapbench {

// Inserts k -> value_of(k), k = map.key_word(i), for i in [0, keys). Returns the
// number of keys that did not fit (0 on success).
std::uint64_t prefill(AnyMap& map, std::uint64_t keys);  // then map.settle()

// Checks a quiescent map after a run: every key present has either its
// prefill value or a value tagged by one of `threads` writers; none of the
// first 65536 miss-range keys is present; size() equals the number of present
// keys; and, when `read_only`, every prefilled key is present with its
// prefill value. Pseudo designs pass (they have no map semantics).
// Empty string when all hold, else the first violation.
std::string verify(AnyMap& map, std::uint64_t keys, std::uint32_t threads, bool read_only);

}  // namespace mapbench
