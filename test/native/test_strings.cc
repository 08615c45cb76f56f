// test_strings.cc — string keys: the key types and their arena, every
// string-keyed map against std::unordered_map<std::string, ...> on the keys
// that break string tables (empty, the maximum length, keys that differ
// only in their last byte, embedded NULs, shared prefixes, and every key on
// one hash through a colliding test hash), concurrent races on one key and
// on owned keys, the AnyMap path the harness drives (arena words, prefill,
// verify, run_worker over key tapes), and no leaked key record under churn
// (the counted heap balances to zero; ASan's leak checker runs too).
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalogue/map_adapter.h"
#include "check.h"
#include "maps.h"
#include "maps/chained_map.h"
#include "maps/locked_map.h"
#include "maps/sharded_map.h"
#include "maps/str_lockfree_map.h"
#include "peers/peers.h"
#include "runtime/keys.h"
#include "runtime/runner.h"
#include "runtime/tsc.h"
#if defined(MAPBENCH_HAVE_LIBCUCKOO)
#include "peers/libcuckoo_map.h"
#endif
#if defined(MAPBENCH_HAVE_TBB)
#include "peers/tbb_map.h"
#endif
#if defined(MAPBENCH_HAVE_ABSL_SHARDED)
#include "peers/absl_sharded_map.h"
#endif

namespace mb = mapbench;
using mb::Status;

namespace {

// Every key on one hash: lookups can tell keys apart only by their bytes.
struct CollidingHash {
  std::uint64_t operator()(std::string_view) const noexcept { return 0x9e3779b97f4a7c15ULL; }
};
using Colliding = mb::StrKeys<CollidingHash>;

// prefix + the decimal digits of n (appended, not concatenated: GCC 12
// warns falsely on `"literal" + std::to_string(n)`).
std::string named(const char* prefix, std::uint64_t n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

std::vector<std::string> hard_keys(std::uint64_t seed) {
  std::vector<std::string> k = {"", std::string(1, '\0'), std::string(2, '\0'), "a", "b", "ab", "ba"};
  k.push_back(std::string(mb::kMaxKeyBytes, 'x'));
  std::string near_max(mb::kMaxKeyBytes, 'x');
  near_max.back() = 'y';
  k.push_back(near_max);
  k.push_back(std::string(mb::kMaxKeyBytes - 1, 'x'));
  const std::string prefix(40, 'p');
  for (int c = 0; c < 256; c += 5) k.push_back(prefix + static_cast<char>(c));  // differ in the last byte only
  for (int i = 0; i < 64; ++i) k.push_back(named("order:", 100000000000ULL + i));
  std::string embedded = "nul\0inside";
  embedded.resize(10);
  k.push_back(embedded);
  mb::Rng rng(seed);
  std::set<std::string> seen(k.begin(), k.end());
  while (k.size() < 400) {
    std::string s(1 + rng.below(90), ' ');
    for (auto& c : s) c = static_cast<char>(rng.below(256));
    if (seen.insert(s).second) k.push_back(s);
  }
  return k;
}

// Random ops on `m` (a map taking std::string_view keys) checked op by op
// against std::unordered_map, then erase-all and refill.
template <class M>
void differential(M& m, const std::string& label, std::uint64_t ops, std::uint64_t seed) {
  const std::vector<std::string> keys = hard_keys(seed);
  std::unordered_map<std::string, std::uint64_t> ref;
  mb::Rng rng(seed * 3 + 1);
  mb::NoStats ns;
  auto check_get = [&](const std::string& k) {
    std::uint64_t v = 12345;
    const bool hit = m.get(std::string_view(k), &v, ns);
    auto it = ref.find(k);
    CHECK_EQ(hit, it != ref.end(), label, ": get of a key of ", k.size(), " bytes");
    if (hit) CHECK_EQ(v, it->second, label, ": value");
  };
  for (std::uint64_t i = 0; i < ops; ++i) {
    const std::string& k = keys[rng.below(keys.size())];
    const std::uint64_t v = rng.next() >> 2;
    switch (rng.below(4)) {
      case 0:
        check_get(k);
        break;
      case 1: {
        const Status s = m.insert(std::string_view(k), v, ns);
        CHECK_EQ(s == Status::kInserted, !ref.count(k), label, ": insert status");
        CHECK(s == Status::kInserted || s == Status::kAssigned, label, ": insert ", mb::status_name(s));
        ref[k] = v;
        break;
      }
      case 2: {
        const bool ok = m.update(std::string_view(k), v, ns);
        CHECK_EQ(ok, ref.count(k) == 1, label, ": update");
        if (ok) ref[k] = v;
        break;
      }
      default:
        CHECK_EQ(m.erase(std::string_view(k), ns), ref.erase(k) == 1, label, ": erase");
    }
  }
  for (const auto& k : keys) check_get(k);
  CHECK_EQ(m.size(), ref.size(), label, ": size");
  for (const auto& k : keys) m.erase(std::string_view(k), ns);
  CHECK_EQ(m.size(), 0u, label, ": size after erasing all");
  for (const auto& k : keys) CHECK_EQ(m.insert(std::string_view(k), 7, ns), Status::kInserted, label, ": refill");
  CHECK_EQ(m.size(), keys.size(), label);
  for (const auto& k : keys) {
    std::uint64_t v = 0;
    CHECK(m.get(std::string_view(k), &v, ns) && v == 7, label, ": refilled key");
  }
}

std::string owned_key(unsigned thread, std::uint64_t i) {
  std::string s = named("t", thread);
  s.push_back(':');
  s.append(std::to_string(i));
  return s;
}

// T threads insert the same fresh keys at once: each key is inserted
// exactly once (one kInserted across threads), the rest see kAssigned.
template <class M>
void same_key_race(M& m, const std::string& label, unsigned threads, unsigned keys) {
  std::vector<std::uint64_t> inserted(threads, 0);
  std::atomic<unsigned> ready{0};
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      mb::NoStats ns;
      ready.fetch_add(1);
      while (ready.load() < threads) mb::cpu_relax();
      for (unsigned i = 0; i < keys; ++i) {
        const std::string k = named("race:", i);
        if (m.insert(std::string_view(k), t, ns) == Status::kInserted) inserted[t] += 1;
      }
    });
  for (auto& th : ts) th.join();
  std::uint64_t total = 0;
  for (auto n : inserted) total += n;
  CHECK_EQ(total, keys, label, ": each raced key inserted exactly once");
  CHECK_EQ(m.size(), keys, label);
}

// Each thread churns keys of its own (insert, update, erase, reinsert,
// checked against a private model) and writes a shared hot set; afterwards
// every owned key holds exactly its owner's last value and every present
// hot key a value some thread wrote.
template <class M>
void owned_and_shared(M& m, const std::string& label, unsigned threads, std::uint64_t ops) {
  constexpr unsigned kOwned = 300, kHot = 8;
  std::vector<std::unordered_map<std::string, std::uint64_t>> models(threads);
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      mb::NoStats ns;
      mb::Rng rng(t + 11);
      auto& model = models[t];
      for (std::uint64_t i = 0; i < ops; ++i) {
        const bool hot = rng.below(8) == 0;
        const std::string k = hot ? named("hot:", rng.below(kHot)) : owned_key(t, rng.below(kOwned));
        const std::uint64_t v = (std::uint64_t{t + 1} << 40) | i;
        const unsigned r = static_cast<unsigned>(rng.below(4));
        if (hot) {
          if (r == 0) m.erase(std::string_view(k), ns);
          else m.insert(std::string_view(k), v, ns);
          continue;
        }
        if (r == 0) {
          if (m.erase(std::string_view(k), ns) != (model.erase(k) == 1)) bad.fetch_add(1);
        } else if (r == 1) {
          if (m.update(std::string_view(k), v, ns) != (model.count(k) == 1)) bad.fetch_add(1);
          if (model.count(k)) model[k] = v;
        } else if (r == 2) {
          std::uint64_t got = 0;
          const bool hit = m.get(std::string_view(k), &got, ns);
          if (hit != (model.count(k) == 1) || (hit && got != model[k])) bad.fetch_add(1);
        } else {
          const Status s = m.insert(std::string_view(k), v, ns);
          if ((s == Status::kInserted) != (model.count(k) == 0)) bad.fetch_add(1);
          model[k] = v;
        }
      }
    });
  for (auto& th : ts) th.join();
  CHECK_EQ(bad.load(), 0, label, ": an owned key disagreed with its owner's model during the run");
  mb::NoStats ns;
  std::uint64_t owned_live = 0;
  for (unsigned t = 0; t < threads; ++t)
    for (unsigned i = 0; i < kOwned; ++i) {
      const std::string k = owned_key(t, i);
      std::uint64_t v = 0;
      const bool hit = m.get(std::string_view(k), &v, ns);
      auto it = models[t].find(k);
      CHECK_EQ(hit, it != models[t].end(), label, ": owned key ", k);
      if (hit) CHECK_EQ(v, it->second, label, ": owned key ", k, " lost its owner's last write");
      owned_live += hit;
    }
  std::uint64_t hot_live = 0;
  for (unsigned i = 0; i < kHot; ++i) {
    std::uint64_t v = 0;
    const std::string k = named("hot:", i);
    if (!m.get(std::string_view(k), &v, ns)) continue;
    hot_live += 1;
    const std::uint64_t tag = v >> 40;
    CHECK(tag >= 1 && tag <= threads, label, ": hot key holds a value nobody wrote");
  }
  CHECK_EQ(m.size(), owned_live + hot_live, label, ": size");
}

// Runs the direct cases on a fresh map from `make` for each.
template <class Make>
void direct_cases(mbtest::Suite& suite, const std::string& label, Make make, std::uint64_t ops) {
  suite.run(label + ": hard keys vs std::unordered_map", [&] {
    auto m = make();
    differential(m->map, label, ops, 5);
  });
  suite.run(label + ": four threads race to insert the same keys", [&] {
    // The losers' records must be freed too: the racing threads' counts,
    // folded in when they exit, balance with the map gone.
    const mb::alloc::Counts before = mb::alloc::process_counts();
    {
      auto m = make();
      same_key_race(m->map, label, 4, 500);
    }
    const mb::alloc::Counts after = mb::alloc::process_counts();
    CHECK_EQ(after.allocations - before.allocations, after.frees - before.frees, label, ": allocations vs frees");
  });
  suite.run(label + ": owned keys stay exact, shared keys hold written values", [&] {
    auto m = make();
    owned_and_shared(m->map, label, 3, mbtest::scaled(60000, 5000));
  });
}

// A map plus the Pages it allocates from (declared first, so it outlives the map).
template <class M>
struct Owned {
  mb::alloc::Pages pages{false};
  M map;
  template <class... Args>
  explicit Owned(Args... args) : map(pages, args...) {}
};

void key_type_cases(mbtest::Suite& suite) {
  suite.run("key types parse, name themselves and refuse bad input", [] {
    mb::KeyType t;
    CHECK(mb::parse_key_type("u64", &t).empty() && !t.strings());
    CHECK(mb::parse_key_type("str:16", &t).empty() && t.kind == mb::KeyKind::kFixed && t.min_len == 16);
    CHECK_EQ(t.name(), std::string("str:16"));
    CHECK(mb::parse_key_type("str:8-64", &t).empty() && t.min_len == 8 && t.max_len == 64);
    CHECK_EQ(t.name(), std::string("str:8-64"));
    CHECK(mb::parse_key_type("str:order", &t).empty() && t.min_len == 18);
    CHECK(mb::parse_key_type("str:uuid", &t).empty() && t.min_len == 36);
    for (const char* bad : {"", "str", "str:", "str:0", "str:1025", "str:9-3", "str:a", "str:-4", "str:4-", "u32",
                            "str:1-2000", "STR:8", "str:order2"})
      CHECK(!mb::parse_key_type(bad, &t).empty(), "accepted '", bad, "'");
    CHECK(mb::parse_key_type("str:2", &t).empty());
    CHECK(mb::validate_key_space(t, 62 * 62 / 2).empty(), "str:2 spells 3844 keys: 1922 present + 1922 miss");
    CHECK(!mb::validate_key_space(t, 62 * 62 / 2 + 1).empty());
  });
  suite.run("arenas hold distinct keys of the promised shape, the same for the same seed", [] {
    for (const char* name : {"str:1", "str:3", "str:16", "str:64", "str:1-40", "str:order", "str:uuid"}) {
      mb::KeyType t;
      CHECK(mb::parse_key_type(name, &t).empty());
      const std::uint64_t keys = t.min_len == 1 ? 31 : 5000;
      const mb::KeyArena a(t, keys, 9);
      CHECK_EQ(a.size(), 2 * keys, name);
      std::unordered_set<std::string_view> seen;
      for (std::uint64_t i = 0; i < a.size(); ++i) {
        const std::string_view k = a.key(i);
        CHECK(k.size() >= t.min_len && k.size() <= t.max_len, name, ": length ", k.size());
        CHECK(seen.insert(k).second, name, ": key ", i, " repeats an earlier key");
        if (t.kind == mb::KeyKind::kOrder) CHECK(k.substr(0, 6) == "order:", name);
        if (t.kind == mb::KeyKind::kUuid) {
          CHECK(k[8] == '-' && k[13] == '-' && k[18] == '-' && k[23] == '-' && k[14] == '4', name, ": ", k);
          CHECK(std::string_view("89ab").find(k[19]) != std::string_view::npos, name, ": variant ", k);
        }
      }
      const mb::KeyArena again(t, keys, 9);
      for (std::uint64_t i = 0; i < a.size(); ++i) CHECK(a.key(i) == again.key(i), name, ": not deterministic");
    }
  });
  suite.run("a key tape replays the stream's keys in order", [] {
    mb::KeyType t;
    mb::parse_key_type("str:3-30", &t);
    const mb::KeyArena a(t, 1000, 3);
    mb::WorkloadSpec w;
    w.keys = 1000;
    w.indexed_keys = true;
    w.stream_length = 4096;
    const std::uint32_t mix[mb::kOpKinds] = {40, 20, 20, 10, 10};
    std::memcpy(w.mix, mix, sizeof mix);
    const mb::OpStream s = mb::generate_stream(w);
    mb::KeyTape tape;
    mb::build_tape(a, s, &tape);
    CHECK_EQ(tape.stream.size(), s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      CHECK_EQ(mb::op_kind(tape.stream.ops[i]), mb::op_kind(s.ops[i]));
      CHECK(mb::op_key(s.ops[i]) < a.size());
      CHECK(mb::tape_key(mb::op_key(tape.stream.ops[i])).view() == a.key(mb::op_key(s.ops[i])), "op ", i);
    }
    w.partition = mb::Partition::kShard;
    w.threads = 2;
    w.shards = 4;
    CHECK(!mb::validate(w).empty(), "string keys refuse the shard partition");
  });
}

// The harness's path: a catalogue design with a string key type behind AnyMap.
void anymap_cases(mbtest::Suite& suite) {
  for (const char* key_type : {"str:16", "str:3-64", "str:order", "str:uuid"}) {
    for (const auto& d : mb::designs()) {
      if (!d.string_keys) continue;
      mb::MapOptions o;
      o.design = d.name;
      o.expected_entries = 3000;
      o.load_factor = 0.5;
      o.huge_pages = false;
      o.shards = 16;
      CHECK(mb::parse_key_type(key_type, &o.key_type).empty());
      const std::string label = d.name + " " + key_type;
      suite.run(label + ": prefill, verify, words, a two-thread run", [&, o, label] {
        const std::string bad = mb::validate(o);
        CHECK(bad.empty(), label, ": ", bad);
        auto m = mb::make_map(o);
        CHECK(m->arena() != nullptr, label);
        CHECK_EQ(mb::prefill(*m, o.expected_entries), 0u, label);
        CHECK_EQ(m->size(), o.expected_entries, label);
        const std::string v = mb::verify(*m, o.expected_entries, 1, true);
        CHECK(v.empty(), label, ": ", v);
        std::uint64_t got = 0;
        CHECK_EQ(m->get(1, &got), Status::kReservedKey, label, ": word 1 is no key");
        CHECK_EQ(m->get(m->key_word(2 * o.expected_entries), &got), Status::kReservedKey, label, ": past the arena");
        CHECK_EQ(m->get(m->key_word(2 * o.expected_entries - 1), &got), Status::kNotFound, label, ": last miss key");
        CHECK_EQ(m->get(m->key_word(5), &got), Status::kOk, label);
        CHECK_EQ(got, mb::value_of(m->key_word(5)), label);
        std::uint64_t words[3] = {m->key_word(0), 0, m->key_word(1)};
        std::uint64_t vals[3];
        CHECK_EQ(m->get_batch(words, 3, vals), Status::kReservedKey, label, ": a batch with a non-key");
        words[1] = m->key_word(2);
        CHECK_EQ(m->get_batch(words, 3, vals), Status::kOk, label);
        CHECK_EQ(vals[1], mb::value_of(words[1]), label);

        mb::WorkerSpec spec;
        spec.threads = 2;
        spec.warmup_seconds = 0.01;
        spec.duration_seconds = 0.05;
        spec.gate_timeout_seconds = 20;
        spec.tsc_hz = mb::tsc::hz();
        spec.workload.keys = o.expected_entries;
        spec.workload.seed = 4;
        spec.workload.stream_length = 1 << 13;
        const std::uint32_t cart[mb::kOpKinds] = {50, 10, 20, 10, 10};
        std::memcpy(spec.workload.mix, cart, sizeof cart);
        for (auto mode : {mb::RunMode::kThroughput, mb::RunMode::kLatency}) {
          spec.mode = mode;
          mb::Control ctl;
          std::memset(&ctl, 0, sizeof ctl);
          std::vector<mb::WorkerResult> rs(2);
          std::vector<std::thread> ts;
          for (unsigned t = 0; t < 2; ++t)
            ts.emplace_back([&, t] {
              mb::WorkerSpec s = spec;
              s.workload.thread_index = t;
              rs[t] = m->run_worker(s, ctl);
            });
          for (auto& th : ts) th.join();
          for (const auto& r : rs) {
            CHECK(r.ok, label, ": ", r.error);
            CHECK_GT(r.ops, 0u, label);
            CHECK_GT(r.outcomes[mb::kGetHit], 0u, label, ": the tape's keys are the arena's (hits)");
            CHECK_GT(r.outcomes[mb::kGetMiss], 0u, label, ": miss-range keys miss");
            CHECK_EQ(r.outcomes[mb::kInsertFull], 0u, label);
          }
          const std::string after = mb::verify(*m, o.expected_entries, 2, false);
          CHECK(after.empty(), label, ": ", after);
        }
        mb::WorkerSpec sharded_part = spec;
        sharded_part.workload.partition = mb::Partition::kShard;
        sharded_part.workload.shards = 16;
        sharded_part.threads = 1;
        sharded_part.workload.threads = 1;
        mb::Control ctl;
        std::memset(&ctl, 0, sizeof ctl);
        const mb::WorkerResult r = m->run_worker(sharded_part, ctl);
        CHECK(!r.ok && r.error.find("string keys") != std::string::npos, label, ": ", r.error);
        const mb::Diagnostics dg = m->diagnostics();
        CHECK_EQ(dg.entries, m->size(), label);
        if (!d.peer) CHECK_GE(dg.key_bytes, dg.entries * (sizeof(mb::KeyRecord) - 4), label, ": key records counted");
      });
    }
  }
  suite.run("designs without a string form and bad key spaces are refused in one line", [] {
    mb::MapOptions o;
    o.design = "readmostly";
    o.expected_entries = 100;
    o.load_factor = 0.5;
    mb::parse_key_type("str:16", &o.key_type);
    CHECK(mb::validate(o).find("no string-key form") != std::string::npos, mb::validate(o));
    o.design = "lockfree";
    o.initial_capacity = 64;
    CHECK(mb::validate(o).find("does not grow") != std::string::npos, mb::validate(o));
    o.initial_capacity = 0;
    mb::parse_key_type("str:2", &o.key_type);
    o.expected_entries = 5000;
    CHECK(mb::validate(o).find("distinct keys") != std::string::npos, mb::validate(o));
  });
}

// Churn through many distinct keys: every record a map allocated is freed
// by the map (erase or destruction), so this thread's counted heap balances.
template <class Make>
void no_leak(mbtest::Suite& suite, const std::string& label, Make make) {
  suite.run(label + ": churned key records are all freed", [&] {
    const mb::alloc::Counts before = mb::alloc::thread_counts();
    {
      auto m = make();
      mb::NoStats ns;
      for (int i = 0; i < 20000; ++i) {
        const std::string k = named("churn-key-that-is-longer-than-sso:", static_cast<std::uint64_t>(i % 500));
        m->map.insert(std::string_view(k), static_cast<std::uint64_t>(i), ns);
        if (i % 3 != 0) m->map.erase(std::string_view(k), ns);
      }
    }
    const mb::alloc::Counts after = mb::alloc::thread_counts();
    CHECK_GT(after.allocations - before.allocations, 0u, label, ": the records come from the counted heap");
    CHECK_EQ(after.allocations - before.allocations, after.frees - before.frees, label, ": allocations vs frees");
    CHECK_EQ(after.bytes_allocated - before.bytes_allocated, after.bytes_freed - before.bytes_freed, label);
  });
}

}  // namespace

int main() {
  mbtest::Suite suite("test_strings");
  if (!mb::kHaveStringKeys) {
    std::printf("this build has no string keys (install %s)\n", mb::kStringHashPackage);
    suite.run("string keys are refused with the package to install", [] {
      mb::MapOptions o;
      o.design = "lockfree";
      mb::parse_key_type("str:16", &o.key_type);
      CHECK(mb::validate(o).find(mb::kStringHashPackage) != std::string::npos);
    });
    return suite.finish();
  }
  const std::uint64_t ops = mbtest::scaled(200000, 20000);
  key_type_cases(suite);
  // 1024 slots for 400 keys: the hard keys never fill a fixed table.
  direct_cases(suite, "lockfree (string)", [] { return std::make_unique<Owned<mb::StrLockFreeMap>>(1024); }, ops);
  direct_cases(suite, "lockfree (string, one hash)",
               [] { return std::make_unique<Owned<mb::BasicStrLockFreeMap<Colliding>>>(1024); }, ops / 4);
  direct_cases(suite, "mutex (string)", [] { return std::make_unique<Owned<mb::StrMutexMap>>(1024); }, ops);
  direct_cases(suite, "spin (string, one hash)",
               [] { return std::make_unique<Owned<mb::LockedMap<mb::SpinLock, Colliding>>>(1024); }, ops / 4);
  direct_cases(suite, "rwlock (string, grows from 8)",
               [] { return std::make_unique<Owned<mb::StrRwLockMap>>(8, 0.75); }, ops);
  direct_cases(suite, "sharded:spin:64 x8 (string)",
               [] { return std::make_unique<Owned<mb::ShardedMap<mb::SpinLock, 64, mb::StrKeys<>>>>(1024, 8); }, ops);
  direct_cases(suite, "sharded:mutex:packed x4 (string, one hash)",
               [] { return std::make_unique<Owned<mb::ShardedMap<mb::MutexLock, 0, Colliding>>>(1024, 4); }, ops / 4);
  direct_cases(suite, "sharded:rw:128 x8 (string, grows from 64)",
               [] { return std::make_unique<Owned<mb::ShardedMap<mb::RwLock, 128, mb::StrKeys<>>>>(64, 8, 0.75); },
               ops);
  direct_cases(suite, "chained:mutex x8 (string)",
               [] {
                 return std::make_unique<Owned<mb::ChainedMap<mb::MutexLock, mb::HeapNodes<mb::ChainNode>, mb::StrKeys<>>>>(
                     256, 8);
               },
               ops);
  direct_cases(suite, "chained-pool:spin x4 (string, one hash)",
               [] {
                 return std::make_unique<Owned<mb::ChainedMap<mb::SpinLock, mb::NodePool<mb::ChainNode>, Colliding>>>(64,
                                                                                                                    4);
               },
               ops / 4);
  no_leak(suite, "chained-pool:mutex x8 (string)", [] {
    return std::make_unique<Owned<mb::ChainedMap<mb::MutexLock, mb::NodePool<mb::ChainNode>, mb::StrKeys<>>>>(256, 8);
  });
#if defined(MAPBENCH_HAVE_LIBCUCKOO)
  direct_cases(suite, "libcuckoo (string)", [] { return std::make_unique<Owned<mb::StrLibcuckooMap>>(1024); }, ops);
  no_leak(suite, "libcuckoo (string)", [] { return std::make_unique<Owned<mb::StrLibcuckooMap>>(1024); });
#endif
#if defined(MAPBENCH_HAVE_TBB)
  direct_cases(suite, "tbb (string)", [] { return std::make_unique<Owned<mb::StrTbbMap>>(1024); }, ops);
  no_leak(suite, "tbb (string)", [] { return std::make_unique<Owned<mb::StrTbbMap>>(1024); });
#endif
#if defined(MAPBENCH_HAVE_ABSL_SHARDED)
  direct_cases(suite, "absl-sharded (string)", [] { return std::make_unique<Owned<mb::StrAbslShardedMap>>(1024); },
               ops);
  no_leak(suite, "absl-sharded (string)", [] { return std::make_unique<Owned<mb::StrAbslShardedMap>>(1024); });
#endif
  no_leak(suite, "lockfree (string)", [] { return std::make_unique<Owned<mb::StrLockFreeMap>>(1024); });
  no_leak(suite, "mutex (string)", [] { return std::make_unique<Owned<mb::StrMutexMap>>(1024); });
  no_leak(suite, "sharded:spin:64 x8 (string, grows from 64)",
          [] { return std::make_unique<Owned<mb::ShardedMap<mb::SpinLock, 64, mb::StrKeys<>>>>(64, 8, 0.75); });
  anymap_cases(suite);
  return suite.finish();
}
