// test_stress.cc — every map design under 2, 4 and 8 concurrent threads:
//   (i)   disjoint-range inserts: every key present with its value, size exact;
//   (ii)  shared keys: writers tag values with their thread id, readers check
//         every value they see is the initial one or a real tag for that key,
//         and that each writer's values never go backwards for a reader;
//   (iii) erase/insert churn over a shared key set, then a consistency check;
//   (iv)  every thread inserting the same fresh keys at once: exactly one
//         insert per key wins, and no key is stored twice.
// Each case also proves its threads ran concurrently (overlap.h): the
// TSC spans of their work must intersect, every thread's with another's,
// in at least one round of a repeated case, or within a few attempts of a
// time-boxed one; otherwise the case fails even if every check passed.
// Workers never CHECK directly in their loops' hot path state: they count
// violations and keep the first, and the case thread checks after join()
// (check.h's CHECK on a worker thread would exit the process at once).
//
// MAPBENCH_TEST_SEED (default 20240601) seeds every case; MAPBENCH_STRESS_MS
// (default 120) bounds each time-boxed case.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "maps.h"
#include "overlap.h"
#include "runtime/workload.h"

using mapbench::AnyMap;
using mapbench::Status;

namespace {

constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << 48) - 1;

std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* s = std::getenv(name);
  return s && *s ? std::strtoull(s, nullptr, 0) : dflt;
}

const std::uint64_t kSeed = env_u64("MAPBENCH_TEST_SEED", 20240601);
const std::chrono::milliseconds kBudget{env_u64("MAPBENCH_STRESS_MS", 120)};

// Attempts for a time-boxed case, and rounds past its budget for a
// repeated one, before a case whose threads never overlapped fails.
// A round that is over within a scheduler time slice runs its threads one
// after another whenever they share a CPU (here, with other processes), so
// a repeated case that has not yet overlapped when its budget is spent runs
// its extra rounds on larger key sets (doubling up to kMaxRoundScale), whose
// threads outlast a slice and interleave even then.
constexpr int kOverlapAttempts = 3;
constexpr int kOverlapExtraRounds = 12;
constexpr unsigned kMaxRoundScale = 16;
constexpr std::uint64_t kMapEntries = 4096;

// cfg for a map of kMapEntries * scale entries at the same load factor.
mbtest::MapConfig scaled_config(const mbtest::MapConfig& cfg, unsigned scale) {
  mbtest::MapConfig c = cfg;
  c.options.expected_entries = kMapEntries * scale;
  return c;
}

// Every case starts its threads with mbtest::run_together (overlap.h).
const auto run_threads = mbtest::run_together;

// What a worker saw go wrong: a count and the first description.
struct Violations {
  std::uint64_t count = 0;
  std::string first;
  void add(const std::string& what) {
    if (count++ == 0) first = what;
  }
};

void check_no_violations(const std::vector<Violations>& vs, const std::string& label) {
  for (std::size_t t = 0; t < vs.size(); ++t)
    CHECK_EQ(vs[t].count, 0u, label, ": thread ", t, " saw ", vs[t].count, " violations, first: ", vs[t].first);
}

// A value written for key index `i` of a `k`-key set by writer w in 0..writers-1
// is tagged_value(w, seq * k + i). Returns "" when `v` is such a value or the
// key's initial value_of(key).
std::string bad_value(std::uint64_t v, std::uint64_t key, std::uint64_t i, std::uint64_t k, std::uint32_t writers) {
  if (v == mapbench::value_of(key)) return {};
  const std::uint64_t tag = v >> 48;
  if (tag < 1 || tag > writers) return "value " + std::to_string(v) + " has tag " + std::to_string(tag);
  if ((v & kCounterMask) % k != i)
    return "value " + std::to_string(v) + " was written for key index " + std::to_string((v & kCounterMask) % k) +
           ", read at key index " + std::to_string(i);
  return {};
}

// (i) Each thread inserts its own range of keys.
mbtest::Spans disjoint_inserts(const mbtest::MapConfig& cfg, unsigned threads, unsigned scale) {
  auto map = mbtest::make(scaled_config(cfg, scale));
  const std::uint64_t per = kMapEntries * scale / threads;
  const std::uint64_t n = per * threads;
  std::vector<Violations> vs(threads);
  const mbtest::Spans spans = run_threads(threads, [&](unsigned t) {
    for (std::uint64_t i = 0; i < per; ++i) {
      const std::uint64_t idx = t * per + i;
      const Status s = map->insert(mapbench::key_of(idx), mapbench::tagged_value(t, idx));
      if (s != Status::kInserted) vs[t].add("insert of key index " + std::to_string(idx) + " returned " + mapbench::status_name(s));
      // Read back a key this thread inserted earlier.
      std::uint64_t v = 0;
      const std::uint64_t back = t * per + i / 2;
      if (map->get(mapbench::key_of(back), &v) != Status::kOk || v != mapbench::tagged_value(t, back))
        vs[t].add("own key index " + std::to_string(back) + " not readable");
    }
  });
  check_no_violations(vs, cfg.label);
  for (std::uint64_t idx = 0; idx < n; ++idx) {
    std::uint64_t v = 0;
    CHECK_EQ(map->get(mapbench::key_of(idx), &v), Status::kOk, cfg.label, ": key index ", idx);
    CHECK_EQ(v, mapbench::tagged_value(static_cast<std::uint32_t>(idx / per), idx), cfg.label, ": key index ", idx);
  }
  for (std::uint64_t idx = n; idx < n + 1000; ++idx) {
    std::uint64_t v;
    CHECK_EQ(map->get(mapbench::key_of(idx), &v), Status::kNotFound, cfg.label);
  }
  mbtest::check_invariants(*map, n, n, cfg.label);
  CHECK_EQ(mapbench::verify(*map, n, threads, false), std::string(), cfg.label);
  return spans;
}

// (ii) Writers overwrite a shared, always-present key set; readers check.
mbtest::Spans shared_writers(const mbtest::MapConfig& cfg, unsigned threads) {
  auto map = mbtest::make(cfg);
  constexpr std::uint64_t k = 64;
  CHECK_EQ(mapbench::prefill(*map, k), 0u, cfg.label);
  const unsigned writers = threads / 2;
  const unsigned readers = threads - writers;
  std::vector<Violations> vs(threads);
  std::vector<std::uint64_t> ops(threads, 0);
  const auto deadline = std::chrono::steady_clock::now() + kBudget;
  const mbtest::Spans spans = run_threads(threads, [&](unsigned t) {
    mapbench::Rng rng(mapbench::thread_seed(kSeed, t, 11));
    Violations& bad = vs[t];
    std::uint64_t n = 0;
    if (t < writers) {
      for (std::uint64_t seq = 0;; ++seq) {
        const std::uint64_t i = rng.below(k);
        const std::uint64_t key = mapbench::key_of(i);
        const std::uint64_t v = mapbench::tagged_value(t, seq * k + i);
        if (seq & 1) {
          const Status s = map->update(key, v);
          if (s != Status::kOk) bad.add(std::string("update of a present key returned ") + mapbench::status_name(s));
        } else {
          const Status s = map->insert(key, v);
          if (s != Status::kAssigned) bad.add(std::string("insert of a present key returned ") + mapbench::status_name(s));
        }
        if ((++n & 63) == 0 && std::chrono::steady_clock::now() >= deadline) break;
      }
    } else {
      // last[i * writers + w] = the highest sequence number of writer w seen at key i (+1).
      std::vector<std::uint64_t> last(k * writers, 0);
      for (;;) {
        const std::uint64_t i = rng.below(k);
        const std::uint64_t key = mapbench::key_of(i);
        std::uint64_t v = 0;
        const Status s = map->get(key, &v);
        if (s != Status::kOk) {
          bad.add(std::string("get of a present key returned ") + mapbench::status_name(s));
        } else if (std::string why = bad_value(v, key, i, k, writers); !why.empty()) {
          bad.add(why);
        } else if (v != mapbench::value_of(key)) {
          const std::uint64_t w = (v >> 48) - 1;
          const std::uint64_t seq = (v & kCounterMask) / k + 1;
          std::uint64_t& seen = last[i * writers + w];
          if (seq < seen)
            bad.add("writer " + std::to_string(w) + "'s values went backwards at key index " + std::to_string(i));
          seen = seq;
        }
        if ((++n & 63) == 0 && std::chrono::steady_clock::now() >= deadline) break;
      }
    }
    ops[t] = n;
  });
  check_no_violations(vs, cfg.label);
  std::uint64_t reads = 0, writes = 0;
  for (unsigned t = 0; t < threads; ++t) (t < writers ? writes : reads) += ops[t];
  CHECK_GT(reads, 0u, cfg.label);
  CHECK_GT(writes, 0u, cfg.label);
  for (std::uint64_t i = 0; i < k; ++i) {
    std::uint64_t v = 0;
    const std::uint64_t key = mapbench::key_of(i);
    CHECK_EQ(map->get(key, &v), Status::kOk, cfg.label);
    CHECK_EQ(bad_value(v, key, i, k, writers), std::string(), cfg.label);
  }
  mbtest::check_invariants(*map, k, k, cfg.label);
  CHECK_EQ(mapbench::verify(*map, k, writers, false), std::string(), cfg.label);
  std::printf("      %u writers %llu ops, %u readers %llu ops\n", writers, static_cast<unsigned long long>(writes),
              readers, static_cast<unsigned long long>(reads));
  return spans;
}

// (iii) Erase/insert/update/get churn on one shared key set.
mbtest::Spans churn(const mbtest::MapConfig& cfg, unsigned threads) {
  auto map = mbtest::make(cfg);
  constexpr std::uint64_t k = 512;
  std::vector<std::uint8_t> prefilled(k, 0);
  for (std::uint64_t i = 0; i < k; i += 2) {
    CHECK_EQ(map->insert(mapbench::key_of(i), mapbench::value_of(mapbench::key_of(i))), Status::kInserted, cfg.label);
    prefilled[i] = 1;
  }
  std::vector<Violations> vs(threads);
  std::vector<std::vector<std::uint8_t>> inserted(threads, std::vector<std::uint8_t>(k, 0));
  std::vector<std::uint64_t> ops(threads, 0);
  const auto deadline = std::chrono::steady_clock::now() + kBudget;
  const mbtest::Spans spans = run_threads(threads, [&](unsigned t) {
    mapbench::Rng rng(mapbench::thread_seed(kSeed, t, 13));
    Violations& bad = vs[t];
    std::uint64_t n = 0;
    for (std::uint64_t seq = 0;; ++seq) {
      const std::uint64_t i = rng.below(k);
      const std::uint64_t key = mapbench::key_of(i);
      const std::uint64_t r = rng.below(100);
      const std::uint64_t v = mapbench::tagged_value(t, seq * k + i);
      if (r < 35) {
        const Status s = map->insert(key, v);
        if (s == Status::kInserted) inserted[t][i] = 1;
        else if (s != Status::kAssigned) bad.add(std::string("insert returned ") + mapbench::status_name(s));
      } else if (r < 70) {
        const Status s = map->erase(key);
        if (s != Status::kOk && s != Status::kNotFound) bad.add(std::string("erase returned ") + mapbench::status_name(s));
      } else if (r < 80) {
        const Status s = map->update(key, v);
        if (s != Status::kOk && s != Status::kNotFound) bad.add(std::string("update returned ") + mapbench::status_name(s));
      } else {
        std::uint64_t got = 0;
        const Status s = map->get(key, &got);
        if (s == Status::kOk) {
          if (std::string why = bad_value(got, key, i, k, threads); !why.empty()) bad.add(why);
        } else if (s != Status::kNotFound) {
          bad.add(std::string("get returned ") + mapbench::status_name(s));
        }
      }
      if ((++n & 63) == 0 && std::chrono::steady_clock::now() >= deadline) break;
    }
    ops[t] = n;
  });
  check_no_violations(vs, cfg.label);
  std::uint64_t present = 0, ever = 0;
  for (std::uint64_t i = 0; i < k; ++i) {
    bool was_inserted = prefilled[i];
    for (unsigned t = 0; t < threads; ++t) was_inserted = was_inserted || inserted[t][i];
    ever += was_inserted;
    const std::uint64_t key = mapbench::key_of(i);
    std::uint64_t v = 0;
    const Status s = map->get(key, &v);
    if (s == Status::kOk) {
      present += 1;
      CHECK(was_inserted, cfg.label, ": key index ", i, " present but never inserted");
      CHECK_EQ(bad_value(v, key, i, k, threads), std::string(), cfg.label);
    } else {
      CHECK_EQ(s, Status::kNotFound, cfg.label);
    }
  }
  for (std::uint64_t i = k; i < 5 * k; ++i) {
    std::uint64_t v;
    CHECK_EQ(map->get(mapbench::key_of(i), &v), Status::kNotFound, cfg.label, ": key index ", i, " outside the set");
  }
  mbtest::check_invariants(*map, present, ever, cfg.label);
  std::uint64_t total = 0;
  for (auto n : ops) total += n;
  std::printf("      %llu ops, %llu of %llu keys present at the end\n", static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(present), static_cast<unsigned long long>(k));
  return spans;
}

// (iv) Every thread inserts the same fresh keys at the same time.
mbtest::Spans racing_inserts(const mbtest::MapConfig& cfg, unsigned threads, unsigned scale) {
  auto map = mbtest::make(scaled_config(cfg, scale));
  const std::uint64_t n = kMapEntries / 2 * scale;
  std::vector<Violations> vs(threads);
  std::vector<std::uint64_t> wins(threads, 0);
  const mbtest::Spans spans = run_threads(threads, [&](unsigned t) {
    // Half the threads walk forwards and half backwards, so they meet.
    for (std::uint64_t j = 0; j < n; ++j) {
      const std::uint64_t i = (t & 1) ? n - 1 - j : j;
      const Status s = map->insert(mapbench::key_of(i), mapbench::tagged_value(t, i));
      if (s == Status::kInserted) wins[t] += 1;
      else if (s != Status::kAssigned) vs[t].add(std::string("insert returned ") + mapbench::status_name(s));
    }
  });
  check_no_violations(vs, cfg.label);
  std::uint64_t total_wins = 0;
  for (auto w : wins) total_wins += w;
  CHECK_EQ(total_wins, n, cfg.label, ": exactly one insert per key reports kInserted");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t v = 0;
    CHECK_EQ(map->get(mapbench::key_of(i), &v), Status::kOk, cfg.label);
    CHECK_EQ(v & kCounterMask, i, cfg.label, ": value written for another key");
    CHECK(v >> 48 >= 1 && v >> 48 <= threads, cfg.label, ": bad tag");
  }
  mbtest::check_invariants(*map, n, n, cfg.label);
  return spans;
}

// Runs `round` on fresh maps until `budget` has passed (at least once), so
// that short cases get many chances to interleave, and then, while no
// round's threads have all overlapped, at most kOverlapExtraRounds more on
// growing key sets (round(scale)); fails when none did. Prints the counts.
void repeat_for(const std::string& label, std::chrono::milliseconds budget,
                const std::function<mbtest::Spans(unsigned scale)>& round) {
  const auto end = std::chrono::steady_clock::now() + budget;
  int rounds = 0, overlapped = 0, extra = 0;
  unsigned scale = 1;
  std::string last;
  for (;;) {
    const mbtest::Spans spans = round(scale);
    ++rounds;
    if (spans.overlapped()) ++overlapped;
    else last = spans.describe();
    if (std::chrono::steady_clock::now() < end) continue;
    if (overlapped > 0 || ++extra > kOverlapExtraRounds) break;
    scale = std::min(2 * scale, kMaxRoundScale);
  }
  std::printf("      %d rounds, %d with every thread overlapping another%s\n", rounds, overlapped,
              scale > 1 ? (" (up to " + std::to_string(scale) + "x keys)").c_str() : "");
  CHECK_GT(overlapped, 0, label, "the threads never ran concurrently in ", rounds, " rounds (last: ", last, ")");
}

// A time-boxed case: one run, rerun (at most kOverlapAttempts times in all)
// while its threads did not all overlap.
void time_boxed(const std::string& label, const std::function<mbtest::Spans()>& run) {
  mbtest::require_overlap(label, kOverlapAttempts, [&](std::string* why) {
    const mbtest::Spans spans = run();
    *why = spans.describe();
    return spans.overlapped();
  });
}

}  // namespace

int main() {
  mbtest::Suite suite("test_stress");
  std::printf("seed %llu, %lld ms per time-boxed case, %u hardware threads\n", static_cast<unsigned long long>(kSeed),
              static_cast<long long>(kBudget.count()), std::thread::hardware_concurrency());
  for (unsigned threads : {2u, 4u, 8u}) {
    for (const auto& cfg : mbtest::map_configs(kMapEntries, 0.85)) {
      const std::string at = cfg.label + " x" + std::to_string(threads) + " threads: ";
      suite.run(at + "disjoint inserts",
                [&] { repeat_for(at, kBudget / 3, [&](unsigned k) { return disjoint_inserts(cfg, threads, k); }); });
      suite.run(at + "shared-key writers and readers", [&] { time_boxed(at, [&] { return shared_writers(cfg, threads); }); });
      suite.run(at + "erase/insert churn", [&] { time_boxed(at, [&] { return churn(cfg, threads); }); });
      suite.run(at + "racing inserts of the same keys",
                [&] { repeat_for(at, kBudget / 3, [&](unsigned k) { return racing_inserts(cfg, threads, k); }); });
    }
  }
  return suite.finish();
}
