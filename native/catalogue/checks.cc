// checks.cc — prefill and the post-run check (checks.h).
#include "catalogue/checks.h"

#include "catalogue/catalogue.h"
#include "runtime/workload.h"

namespace mapbench {

std::uint64_t prefill(AnyMap& map, std::uint64_t keys) {
  std::uint64_t failed = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const std::uint64_t k = map.key_word(i);
    if (map.insert(k, value_of(k)) == Status::kFull) failed += 1;
  }
  map.settle();
  return failed;
}

constexpr std::uint64_t kMissSample = 65536;

std::string verify(AnyMap& map, std::uint64_t keys, std::uint32_t threads, bool read_only) {
  const Design* d = find_design(map.options().design);
  if (!d || d->kind != DesignKind::kMap) return {};
  std::uint64_t present = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const std::uint64_t k = map.key_word(i);
    std::uint64_t v = 0;
    Status s = map.get(k, &v);
    if (s == Status::kOk) {
      present += 1;
      const std::uint64_t tag = v >> 48;
      if (v != value_of(k) && (tag < 1 || tag > threads))
        return "key index " + std::to_string(i) + " holds a value no writer wrote";
      if (read_only && v != value_of(k)) return "key index " + std::to_string(i) + " changed in a read-only run";
    } else if (read_only) {
      return "prefilled key index " + std::to_string(i) + " is missing after a read-only run";
    }
  }
  // Never-inserted keys: a sample of the miss range (it is as large as the
  // key set, and checking all of it would double the cost of every check).
  for (std::uint64_t i = 0; i < keys && i < kMissSample; ++i) {
    std::uint64_t miss_value;
    if (map.get(map.key_word(keys + i), &miss_value) == Status::kOk)
      return "never-inserted key index " + std::to_string(keys + i) + " is present";
  }
  const std::uint64_t size = map.size();
  if (size != present)
    return "size() is " + std::to_string(size) + " but " + std::to_string(present) + " keys are present";
  return {};
}

}  // namespace mapbench
