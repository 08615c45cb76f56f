// options.cc — see options.h. The messages are src/config.ts's and
// src/workload.ts's, so a bad flag reads the same from either runner.
#include "options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace mapbench::native_bench {

namespace {

// ---- the harness's defaults (src/config.ts DEFAULTS and DEFAULT_MAPS) ----
constexpr const char* kDefaultMaps = "mutex,rwlock,spin,sharded,lockfree,floor,null";
constexpr const char* kDefaultThreads = "1,2";
constexpr const char* kDefaultLoadFactors = "0.5,0.9";
constexpr const char* kDefaultKeys = "1e6";
constexpr const char* kDefaultMix = "C,cart";
constexpr const char* kDefaultDist = "uniform";
constexpr const char* kDefaultShards = "64";
constexpr const char* kDefaultDuration = "0.15s";
constexpr const char* kDefaultWarmup = "0.03s";
// The harness defaults to --repeat auto, which this runner does not have: a fixed count.
constexpr const char* kDefaultRepeat = "3";
constexpr const char* kDefaultSampleEvery = "128";
constexpr const char* kDefaultSeed = "1";
constexpr const char* kDefaultStreamLength = "auto";
constexpr const char* kDefaultStreamBudget = "1GiB";
constexpr const char* kDefaultGateTimeout = "10s";
constexpr const char* kDefaultMaxSkew = "5%";

constexpr double kMaxSafeInteger = 9007199254740991.0;

// The peer maps and the Debian package of each (src/config.ts PEER_PACKAGES).
struct NamedMix {
  const char* name;
  std::uint32_t weights[kOpKinds];
};
// src/workload.ts NAMED_MIXES.
constexpr NamedMix kNamedMixes[] = {
    {"C", {100, 0, 0, 0, 0}},   {"B", {95, 0, 5, 0, 0}},     {"A", {50, 0, 50, 0, 0}}, {"cart", {25, 0, 30, 40, 5}},
    {"churn", {0, 0, 0, 50, 50}}, {"miss", {0, 100, 0, 0, 0}}, {"grow", {5, 0, 10, 80, 5}},
};
constexpr const char* kOpNames[kOpKinds] = {"get", "miss", "update", "insert", "erase"};

std::string num(double x) { return json::number_text(x); }

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\n\r\f\v");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\n\r\f\v") - a + 1);
}

// Splits on `sep`, keeping empty pieces (JS String.prototype.split).
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return out;
    from = at + 1;
  }
}

std::string join(const std::vector<std::string>& xs, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) out += (i ? sep : "") + xs[i];
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> list(const std::string& flag, const std::string& text) {
  std::vector<std::string> items = split(text, ',');
  for (auto& s : items) s = trim(s);
  if (std::any_of(items.begin(), items.end(), [](const std::string& s) { return s.empty(); }))
    throw Usage(flag + " must be a comma-separated list with no empty items");
  return items;
}

// The items of a list flag must all differ (src/config.ts distinct).
void distinct(const std::string& flag, const std::vector<std::string>& keys) {
  std::set<std::string> seen;
  for (const auto& k : keys)
    if (!seen.insert(k).second) throw Usage(flag + " lists '" + k + "' more than once");
}

// Integers like 1000, 1e6, 1_000_000 in [min, max].
double parse_count(const std::string& flag, const std::string& s, double min, double max) {
  std::string plain;
  for (char c : s)
    if (c != '_') plain.push_back(c);
  const double n = js_number(plain);
  if (!(std::isfinite(n) && std::floor(n) == n && n >= min && n <= max))
    throw Usage(flag + " must be integers in [" + num(min) + ", " + num(max) + "], got '" + s + "'");
  return n;
}

// Reads digits, optionally `.digits`, from s[i]: true when at least one
// digit leads and a '.' is followed by one; i ends past what was read.
bool scan_decimal(const std::string& s, std::size_t& i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0) return false;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > frac;
  }
  return true;
}

// `0.5`, `500ms`, `2s` in seconds (src/config.ts parseSeconds).
double parse_seconds(const std::string& flag, const std::string& text, bool allow_zero) {
  const std::string s = trim(text);
  std::size_t i = 0;
  bool ok = scan_decimal(s, i);
  const std::string unit = ok ? s.substr(i) : "";
  ok = ok && (unit.empty() || unit == "ms" || unit == "s");
  const double value = ok ? std::strtod(s.substr(0, i).c_str(), nullptr) * (unit == "ms" ? 1e-3 : 1) : NAN;
  if (!std::isfinite(value) || value < 0 || (!allow_zero && value == 0) || value > 3600)
    throw Usage(flag + " must be a " + (allow_zero ? "non-negative" : "positive") +
                " duration such as 0.5, 200ms or 2s (at most 1 hour), got '" + text + "'");
  return value;
}

// `1GiB`, `512MiB`, `2e9`, `64k` in bytes (src/config.ts parseBytes).
double parse_bytes(const std::string& flag, const std::string& text, double min) {
  static const std::map<std::string, double> units = {
      {"", 1},     {"b", 1},      {"k", 1e3},  {"kb", 1e3},     {"kib", 1024.0}, {"m", 1e6},     {"mb", 1e6},
      {"mib", 1048576.0}, {"g", 1e9}, {"gb", 1e9}, {"gib", 1073741824.0}, {"t", 1e12}, {"tb", 1e12},
      {"tib", 1099511627776.0}};
  const std::string s = trim(text);
  std::size_t i = 0;
  bool ok = scan_decimal(s, i);
  if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
    i += 1;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  const std::string number = s.substr(0, i);
  std::size_t j = i;
  while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
  std::string unit = s.substr(j);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto u = units.find(unit);
  const double value = ok && u != units.end() ? std::floor(js_number(number) * u->second) : NAN;
  if (!(std::isfinite(value) && value <= kMaxSafeInteger && value >= min))
    throw Usage(flag + " must be a size of at least " + num(min) + " bytes such as 1GiB, 512MiB or 2e9, got '" + text + "'");
  return value;
}

Mix parse_mix(const std::string& text) {
  for (const auto& m : kNamedMixes)
    if (text == m.name) {
      Mix mix{text, {}};
      std::copy(std::begin(m.weights), std::end(m.weights), mix.weights);
      return mix;
    }
  if (text.find('=') == std::string::npos) {
    std::vector<std::string> names;
    for (const auto& m : kNamedMixes) names.emplace_back(m.name);
    const bool bare = all_digits(text);
    throw Usage("unknown mix '" + text + "' (named: " + join(names, ", ") + "; or get=90,update=10,...)" +
                (bare ? ": bare weights such as --mix 100,0,0,0,0 are spelled get=100 now" : ""));
  }
  Mix mix{text, {}};
  std::set<int> seen;
  for (const auto& part : split(text, ',')) {
    const auto pieces = split(part, '=');
    const auto op = std::find(std::begin(kOpNames), std::end(kOpNames), pieces[0]);
    if (op == std::end(kOpNames) || pieces.size() != 2)
      throw Usage("bad mix term '" + part + "': use op=weight with op one of get, miss, update, insert, erase");
    const double w = js_number(pieces[1]);
    if (!(std::isfinite(w) && std::floor(w) == w && w >= 0 && w <= 1000000))
      throw Usage("bad mix weight '" + part + "': weights are integers in [0, 1000000]");
    const int index = static_cast<int>(op - std::begin(kOpNames));
    if (!seen.insert(index).second) throw Usage("mix '" + text + "' names '" + pieces[0] + "' twice");
    mix.weights[index] = static_cast<std::uint32_t>(w);
  }
  if (std::all_of(std::begin(mix.weights), std::end(mix.weights), [](std::uint32_t w) { return w == 0; }))
    throw Usage("mix '" + text + "' has no non-zero weight");
  return mix;
}

// Named mixes are single terms; consecutive op=weight terms form one custom
// mix, and repeating an op starts the next (src/workload.ts parseMixList).
std::vector<Mix> parse_mix_list(const std::string& text) {
  std::vector<std::string> out, custom;
  auto flush = [&] {
    if (!custom.empty()) out.push_back(join(custom, ","));
    custom.clear();
  };
  for (auto term : split(text, ',')) {
    term = trim(term);
    if (term.find('=') == std::string::npos) {
      flush();
      out.push_back(term);
      continue;
    }
    const std::string op = split(term, '=')[0];
    if (std::any_of(custom.begin(), custom.end(), [&](const std::string& t) { return split(t, '=')[0] == op; })) flush();
    custom.push_back(term);
  }
  flush();
  std::vector<Mix> mixes;
  for (const auto& m : out) mixes.push_back(parse_mix(m));
  return mixes;
}

// `uniform`, `zipf[:θ]`, `hotspot[:fraction[:opFraction]]`, `hotkey` (src/workload.ts parseDistribution).
Dist parse_dist(const std::string& text) {
  const auto p = split(text, ':');
  const std::string& kind = p[0];
  auto arg = [&](std::size_t i, double fallback) { return p.size() > i ? js_number(p[i]) : fallback; };
  auto shown = [&](std::size_t i) { return p.size() > i ? p[i] : std::string("undefined"); };
  Dist d;
  if (kind == "uniform" && p.size() == 1) {
    d.name = "uniform";
    d.dist.kind = DistKind::kUniform;
    return d;
  }
  if (kind == "hotkey" && p.size() == 1) {
    d.name = "hotkey";
    d.dist.kind = DistKind::kHotkey;
    return d;
  }
  if (kind == "zipf" && p.size() <= 2) {
    const double theta = arg(1, 0.99);
    if (!(theta > 0 && theta < 1)) throw Usage("--dist zipf:θ needs 0 < θ < 1, got '" + shown(1) + "'");
    d.name = "zipf:" + num(theta);
    d.dist.kind = DistKind::kZipf;
    d.dist.theta = theta;
    d.has_theta = true;
    return d;
  }
  if (kind == "hotspot" && p.size() <= 3) {
    const double f = arg(1, 0.01), op = arg(2, 0.9);
    if (!(f > 0 && f < 1)) throw Usage("--dist hotspot:f:p needs 0 < f < 1, got '" + shown(1) + "'");
    if (!(op >= 0 && op <= 1)) throw Usage("--dist hotspot:f:p needs 0 <= p <= 1, got '" + shown(2) + "'");
    d.name = "hotspot:" + num(f) + ":" + num(op);
    d.dist.kind = DistKind::kHotspot;
    d.dist.hot_fraction = f;
    d.dist.hot_op_fraction = op;
    d.has_hot = true;
    return d;
  }
  throw Usage("unknown distribution '" + text + "' (uniform, zipf:0.99, hotspot:0.01:0.9, hotkey)");
}

std::string format_cpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return "none";
  std::vector<std::string> s;
  for (int c : cpus) s.push_back(std::to_string(c));
  return join(s, ",");
}

// `0,2,4-7`; every CPU must be one this process may use (src/config.ts parseCpus).
std::vector<int> parse_cpus(const std::string& text, const std::vector<int>& available) {
  std::vector<int> cpus;
  for (const auto& item : list("--cpus", text)) {
    const auto dash = item.find('-');
    const std::string a = item.substr(0, dash), b = dash == std::string::npos ? a : item.substr(dash + 1);
    if (!all_digits(a) || !all_digits(b) || a.size() > 9 || b.size() > 9)
      throw Usage("--cpus must list CPU numbers or ranges like 0,2-3, got '" + item + "'");
    const int lo = std::stoi(a), hi = std::stoi(b);
    if (hi < lo) throw Usage("--cpus range '" + item + "' is backwards");
    for (int c = lo; c <= hi; ++c) {
      if (std::find(available.begin(), available.end(), c) == available.end())
        throw Usage("--cpus: CPU " + std::to_string(c) + " does not exist or is not available (this process may use " +
                    format_cpus(available) + ")");
      cpus.push_back(c);
    }
  }
  std::vector<std::string> keys;
  for (int c : cpus) keys.push_back(std::to_string(c));
  distinct("--cpus", keys);
  return cpus;
}

// --out must name a file in a directory that takes a new file (src/config.ts checkWritable).
void check_writable(const std::string& out) {
  namespace fs = std::filesystem;
  const std::string dir = fs::absolute(fs::path(out)).parent_path().string();
  struct stat st {};
  if (::stat(out.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Usage("--out '" + out + "' is a directory; give a file name");
  if (::stat(dir.c_str(), &st) != 0) throw Usage("--out '" + out + "': directory '" + dir + "' does not exist");
  if (!S_ISDIR(st.st_mode)) throw Usage("--out '" + out + "': '" + dir + "' is not a directory");
  const std::string probe = dir + "/.mapbench-write-probe-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (!f) throw Usage("--out '" + out + "' cannot be written (" + errno_name(errno) + ")");
  std::fclose(f);
  std::remove(probe.c_str());
}

// results/native-<UTC timestamp>.json, stamped like the harness's default (results/<stamp>-<host>.json).
std::string default_out() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H%M%S", &tm);
  return std::string("results/native-") + stamp + ".json";
}

struct FlagSpec {
  const char* name;
  const char* arg;  // nullptr: a switch
};
constexpr FlagSpec kFlags[] = {
    {"--maps", "<list>"},        {"--threads", "<list>"},      {"--cpus", "<list>"},          {"--load-factors", "<list>"},
    {"--keys", "<list>"},        {"--mix", "<list>"},          {"--dist", "<list>"},          {"--shards", "<list>"},
    {"--initial-capacity", "<slots>"}, {"--max-load-factor", "<x>"}, {"--duration", "<time>"},  {"--warmup", "<time>"},
    {"--repeat", "<n>"},         {"--mode", "<mode>"},         {"--sample-every", "<n>"},     {"--no-stats", nullptr},
    {"--seed", "<n>"},           {"--huge-pages", "<on|off>"}, {"--no-huge-pages", nullptr},  {"--stream-length", "<n>"},
    {"--stream-budget", "<size>"}, {"--gate-timeout", "<time>"}, {"--max-skew", "<pct>"},     {"--strict", nullptr},
    {"--out", "<file>"},         {"--json", nullptr},          {"--quiet", nullptr},          {"--help", nullptr},
};
// Spellings of earlier versions of this runner, and what replaced them.
const std::map<std::string, std::string> kDropped = {{"--map", "--maps"}, {"--lf", "--load-factors"}};

}  // namespace

std::string errno_name(int e) {
  // Node's error codes for what writing a file can meet (strerrorname_np is too new a glibc for some machines).
  switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EIO: return "EIO";
    case EEXIST: return "EEXIST";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EMFILE: return "EMFILE";
    default: return std::strerror(e);
  }
}

double js_number(const std::string& text) {
  const std::string s = trim(text);
  if (s.empty()) return 0;
  if (s == "Infinity" || s == "+Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  if (s.size() > 2 && s[0] == '0' && std::strchr("xXoObB", s[1])) {
    const int base = s[1] == 'x' || s[1] == 'X' ? 16 : s[1] == 'o' || s[1] == 'O' ? 8 : 2;
    double v = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
      if (d >= base) return NAN;
      v = v * base + d;
    }
    return v;
  }
  // [+-](digits[.digits] | .digits)[e[+-]digits]
  std::size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return NAN;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return NAN;
  }
  if (i != s.size()) return NAN;
  return std::strtod(s.c_str(), nullptr);
}

std::optional<LockKind> parse_lock(const std::string& name) { return lock_kind_from(name); }

const char* lock_name(LockKind lock) { return kLockKindNames[static_cast<int>(lock)]; }

MapChoice parse_map_label(const std::string& label) {
  const auto parts = split(label, ':');
  const std::string& name = parts[0];
  const Design* design = find_design(name);
  if (const Design* known = find_known_design(name); !design && parts.size() <= 3 && known && known->peer)
    throw Usage("map '" + name + "' is not built: install Debian package " + known->peer->package +
                " (npm run setup:peers) and rebuild");
  if (!design || parts.size() > 3) {
    std::vector<std::string> known;
    for (const auto& d : designs()) known.push_back(d.name);
    throw Usage("unknown map '" + label + "' (known: " + join(known, ", ") +
                "; sharded:spin and sharded:rw pick a shard lock, sharded:mutex:packed|64|128 a shard padding)");
  }
  MapChoice m;
  m.design = design->name;
  m.sharded = design->sharded;
  if (parts.size() > 1) {
    if (!design->sharded) throw Usage("map '" + label + "': only sharded designs take a lock kind");
    m.lock = parse_lock(parts[1]);
    if (!m.lock) throw Usage("map '" + label + "': lock must be one of " + name_list(kLockKindNames));
  } else if (design->sharded) {
    m.lock = LockKind::kMutex;
  }
  if (parts.size() > 2) {
    const auto pad = pad_from(parts[2]);
    if (!pad) throw Usage("map '" + label + "': padding must be packed, 64 or 128");
    m.pad = *pad;
  }
  m.label = design->sharded && parts.size() == 1 ? name : label;
  return m;
}

std::vector<int> available_cpus() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Cpus_allowed_list:", 0) != 0) continue;
    std::vector<int> out;
    for (const auto& part : split(trim(line.substr(line.find(':') + 1)), ',')) {
      const auto ends = split(part, '-');
      if (!all_digits(ends[0]) || (ends.size() > 1 && !all_digits(ends[1]))) continue;
      const int a = std::stoi(ends[0]), b = ends.size() > 1 ? std::stoi(ends[1]) : a;
      for (int c = a; c <= b; ++c) out.push_back(c);
    }
    if (!out.empty()) return out;
  }
  std::vector<int> out;
  for (long c = 0, n = sysconf(_SC_NPROCESSORS_ONLN); c < n; ++c) out.push_back(static_cast<int>(c));
  return out;
}

std::string help_text() {
  std::vector<std::string> maps;
  for (const auto& d : designs()) maps.push_back(d.name);
  std::ostringstream o;
  o << "Usage: mapbench_native [options]\n\n"
       "The benchmark runner without Node: the harness's maps, op streams and per-thread runner, driven by\n"
       "std::threads; writes a result file in the schema `npm run bench` writes (compare and report read it).\n\n"
       "Options (as `npm run bench`'s):\n"
       "  --maps <list>             maps: "
    << join(maps, ", ")
    << "; sharded[:mutex|spin|rw[:packed|64|128]]\n"
       "                            picks the shard lock and padding (default: "
    << kDefaultMaps
    << ")\n"
       "  --threads <list>          thread counts (default: 1,2)\n"
       "  --cpus <list>             CPUs to pin threads to, round-robin (e.g. 0,1 or 0-3); default: no pinning\n"
       "  --load-factors <list>     table load factors after prefill, each in (0, 1) (default: 0.5,0.9)\n"
       "  --keys <list>             prefilled keys; capacity = keys / load factor (default: 1e6)\n"
       "  --mix <list>              op mixes: C, B, A, cart, churn, miss, grow; or custom get=90,update=5,insert=4,erase=1[,miss=..]\n"
       "                            (default: C,cart)\n"
       "  --dist <list>             key distributions: uniform, zipf[:θ], hotspot[:f:p], hotkey (default: uniform)\n"
       "  --shards <list>           shard counts for sharded maps, powers of two (default: 64)\n"
       "  --initial-capacity <slots> start maps this small and let them grow online\n"
       "  --max-load-factor <x>     load past which maps grow (default: the design's)\n"
       "  --duration <time>         measured time per run (e.g. 0.5, 500ms, 2s; default: 0.15s)\n"
       "  --warmup <time>           discarded warm-up before each measured run (default: 0.03s)\n"
       "  --repeat <n>              repeats per cell, raw repeats kept (default: 3; --repeat auto is the harness's only)\n"
       "  --mode <mode>             throughput (no timers), latency (sampled TSC timing) or both (default: throughput)\n"
       "  --sample-every <n>        latency mode: time one op in n (default: 128)\n"
       "  --no-stats                skip the statistics pass (probe lengths, CAS failures, contention, per-shard load)\n"
       "  --seed <n>                seed of the per-thread op streams (default: 1)\n"
       "  --huge-pages <on|off>     page policy of every map's large memory (default: on); --no-huge-pages = off\n"
       "  --stream-length <n>       ops per thread's replayed stream: auto or a multiple of 256 (default: auto)\n"
       "  --stream-budget <size>    memory all threads' streams may take when the length is auto (default: 1GiB)\n"
       "  --gate-timeout <time>     how long threads wait for each other at the start gate (default: 10s)\n"
       "  --max-skew <pct>          rerun a run (twice at most, then keep it marked unreliable) whose threads began\n"
       "                            measuring further apart than this share of --duration (default: 5%)\n"
       "  --strict                  exit 1 when any cell is unreliable, as when a cell fails\n"
       "  --out <file>              result file (default: results/native-<timestamp>.json), rewritten atomically\n"
       "                            after every cell\n"
       "  --json                    print the result document on stdout instead of the per-cell lines\n"
       "  --quiet                   print nothing but errors\n"
       "  --help                    this text\n\n"
       "Exit status: 0 done; 1 a cell failed (or, with --strict, is unreliable); 2 bad flags (one line on stderr,\n"
       "nothing written); 130 / 143 interrupted by SIGINT / SIGTERM (the completed cells are kept).\n";
  return o.str();
}

Config parse_options(int argc, char** argv) {
  std::map<std::string, std::string> given;
  std::set<std::string> switches;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h") {
      switches.insert("--help");
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw Usage("unexpected argument '" + arg + "' (every option is a --flag)");
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const FlagSpec* spec = nullptr;
    for (const auto& f : kFlags)
      if (name == f.name) spec = &f;
    if (!spec) {
      const auto dropped = kDropped.find(name);
      throw Usage("unknown option '" + name + "'" +
                  (dropped != kDropped.end() ? " (it is " + dropped->second + " now, as in npm run bench)" : ""));
    }
    if (!spec->arg) {
      if (eq != std::string::npos) throw Usage("option '" + name + "' does not take a value");
      switches.insert(name);
      continue;
    }
    if (eq != std::string::npos) {
      given[name] = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)
        throw Usage("option '" + name + " " + spec->arg + "' argument missing");
      given[name] = argv[++i];
    }
  }
  Config c;
  if (switches.count("--help")) {
    c.help = true;
    return c;
  }
  auto get = [&](const char* flag, const char* fallback) {
    const auto it = given.find(flag);
    return it == given.end() ? std::string(fallback) : it->second;
  };

  // --maps: the default is the harness's default maps this build holds.
  std::string maps_text = get("--maps", "");
  if (!given.count("--maps")) {
    std::vector<std::string> present;
    for (const auto& n : split(kDefaultMaps, ','))
      if (find_design(n)) present.push_back(n);
    maps_text = join(present, ",");
  }
  std::vector<std::string> map_keys;
  for (const auto& label : list("--maps", maps_text)) {
    c.maps.push_back(parse_map_label(label));
    const MapChoice& m = c.maps.back();
    // The map a label resolves to: `sharded` and `sharded:mutex` are one map.
    std::string key = m.design;
    if (m.lock) key += std::string(":") + lock_name(*m.lock);
    if (m.pad) key += ":" + (*m.pad == 0 ? std::string("packed") : std::to_string(*m.pad));
    map_keys.push_back(key);
  }
  distinct("--maps", map_keys);

  std::vector<std::string> keys;
  for (const auto& s : list("--threads", get("--threads", kDefaultThreads))) {
    c.threads.push_back(static_cast<std::uint32_t>(parse_count("--threads", s, 1, 1024)));
    keys.push_back(std::to_string(c.threads.back()));
  }
  distinct("--threads", keys);

  if (given.count("--cpus")) c.cpus = parse_cpus(given["--cpus"], available_cpus());

  keys.clear();
  for (const auto& s : list("--load-factors", get("--load-factors", kDefaultLoadFactors))) {
    const double lf = js_number(s);
    if (!(lf > 0 && lf < 1)) throw Usage("--load-factors must be in (0, 1), got '" + s + "'");
    c.load_factors.push_back(lf);
    keys.push_back(num(lf));
  }
  distinct("--load-factors", keys);

  keys.clear();
  for (const auto& s : list("--keys", get("--keys", kDefaultKeys))) {
    c.keys.push_back(static_cast<std::uint64_t>(parse_count("--keys", s, 1, 68719476736.0)));
    keys.push_back(std::to_string(c.keys.back()));
  }
  distinct("--keys", keys);

  c.mixes = parse_mix_list(get("--mix", kDefaultMix));
  keys.clear();
  for (const auto& m : c.mixes) keys.push_back(m.name);
  distinct("--mix", keys);

  keys.clear();
  for (const auto& s : list("--dist", get("--dist", kDefaultDist))) {
    c.dists.push_back(parse_dist(s));
    keys.push_back(c.dists.back().name);
  }
  distinct("--dist", keys);

  keys.clear();
  for (const auto& s : list("--shards", get("--shards", kDefaultShards))) {
    c.shards.push_back(static_cast<std::uint32_t>(parse_count("--shards", s, 1, 65536)));
    keys.push_back(std::to_string(c.shards.back()));
  }
  distinct("--shards", keys);
  for (std::uint32_t n : c.shards)
    if ((n & (n - 1)) != 0) throw Usage("--shards must be powers of two, got " + std::to_string(n));

  if (given.count("--initial-capacity"))
    c.initial_capacity = static_cast<std::uint64_t>(parse_count("--initial-capacity", given["--initial-capacity"], 8, 137438953472.0));
  if (given.count("--max-load-factor")) {
    c.max_load_factor = js_number(given["--max-load-factor"]);
    if (!(*c.max_load_factor > 0 && *c.max_load_factor < 1))
      throw Usage("--max-load-factor must be in (0, 1), got '" + given["--max-load-factor"] + "'");
  }
  c.duration_seconds = parse_seconds("--duration", get("--duration", kDefaultDuration), false);
  c.warmup_seconds = parse_seconds("--warmup", get("--warmup", kDefaultWarmup), true);
  const std::string repeat = get("--repeat", kDefaultRepeat);
  if (repeat == "auto")
    throw Usage("--repeat auto is npm run bench's (repeats until the interval of the median is narrow enough); "
                "mapbench_native runs a fixed count: --repeat N");
  c.repeat = static_cast<int>(parse_count("--repeat", repeat, 1, 1000));
  c.sample_every = static_cast<std::uint32_t>(parse_count("--sample-every", get("--sample-every", kDefaultSampleEvery), 1, 1073741824.0));
  c.stats = !switches.count("--no-stats");
  c.seed = static_cast<std::uint64_t>(parse_count("--seed", get("--seed", kDefaultSeed), 0, kMaxSafeInteger));
  const std::string stream = get("--stream-length", kDefaultStreamLength);
  if (stream != "auto") {
    c.stream_length = static_cast<std::uint64_t>(parse_count("--stream-length", stream, 256, 4294967296.0));
    if (*c.stream_length % 256 != 0)
      throw Usage("--stream-length must be 'auto' or a multiple of 256, got " + std::to_string(*c.stream_length));
  }
  c.stream_budget_bytes = static_cast<std::uint64_t>(parse_bytes("--stream-budget", get("--stream-budget", kDefaultStreamBudget), 2048));
  c.gate_timeout_seconds = parse_seconds("--gate-timeout", get("--gate-timeout", kDefaultGateTimeout), false);
  const std::string skew = get("--max-skew", kDefaultMaxSkew);
  const double skew_pct = js_number(!skew.empty() && skew.back() == '%' ? skew.substr(0, skew.size() - 1) : skew);
  if (!(skew_pct > 0 && skew_pct <= 100)) throw Usage("--max-skew must be a percentage in (0, 100], got '" + skew + "'");
  c.max_skew = skew_pct / 100;
  c.strict = switches.count("--strict") > 0;

  const std::string mode = get("--mode", "throughput");
  if (mode == "throughput") c.mode = Mode::kThroughput;
  else if (mode == "latency") c.mode = Mode::kLatency;
  else if (mode == "both") c.mode = Mode::kBoth;
  else throw Usage("--mode must be throughput, latency or both, got '" + mode + "'");

  const std::string huge = get("--huge-pages", "on");
  if (huge != "on" && huge != "off") throw Usage("--huge-pages must be on or off, got '" + huge + "'");
  c.huge_pages = huge == "on" && !switches.count("--no-huge-pages");

  if (c.max_load_factor && !c.initial_capacity) {
    for (double lf : c.load_factors)
      if (lf > *c.max_load_factor)
        throw Usage("--max-load-factor " + num(*c.max_load_factor) + " is below --load-factors " + num(lf) +
                    ": a presized table would start past its growth threshold (raise it, or start small with --initial-capacity)");
  }
  const std::uint32_t most = *std::max_element(c.shards.begin(), c.shards.end());
  const bool any_sharded = std::any_of(c.maps.begin(), c.maps.end(), [](const MapChoice& m) { return m.sharded; });
  if (c.initial_capacity && any_sharded && *c.initial_capacity < 2ULL * most)
    throw Usage("--initial-capacity " + std::to_string(*c.initial_capacity) + " is too small for " + std::to_string(most) +
                " shards: each shard needs at least 2 slots");
  for (const auto& m : c.maps) {
    if (!m.sharded) continue;
    for (std::uint64_t k : c.keys)
      for (double lf : c.load_factors)
        if (capacity_for(k, lf) < 2ULL * most)
          throw Usage("--keys " + std::to_string(k) + " is too small for " + m.label + " with " + std::to_string(most) +
                      " shards at load factor " + num(lf) +
                      ": each shard needs at least 2 slots (use more keys or fewer --shards)");
  }
  // What the harness would find only when a cell's map or stream is made: checked here for every cell.
  for (const auto& m : c.maps)
    for (std::uint32_t shards : m.sharded ? c.shards : std::vector<std::uint32_t>{64})
      for (std::uint64_t k : c.keys)
        for (double lf : c.load_factors) {
          MapOptions o;
          o.design = m.design;
          o.expected_entries = k;
          o.load_factor = lf;
          o.shards = shards;
          if (m.lock) o.lock = *m.lock;
          if (m.pad) o.pad = *m.pad;
          o.initial_capacity = c.initial_capacity.value_or(0);
          o.max_load_factor = c.max_load_factor.value_or(0);
          const std::string bad = validate(o);
          if (!bad.empty()) throw Usage("map '" + m.label + "': " + bad);
        }
  for (const auto& mix : c.mixes)
    for (const auto& d : c.dists)
      for (std::uint64_t k : c.keys) {
        WorkloadSpec w;
        std::copy(std::begin(mix.weights), std::end(mix.weights), w.mix);
        w.dist = d.dist;
        w.keys = k;
        w.stream_length = c.stream_length.value_or(kStreamBatch);
        const std::string bad = validate(w);
        if (!bad.empty()) throw Usage("--mix " + mix.name + " --dist " + d.name + ": " + bad);
      }

  c.out = given.count("--out") ? given["--out"] : default_out();
  check_writable(c.out);
  c.json = switches.count("--json") > 0;
  c.quiet = switches.count("--quiet") > 0;
  return c;
}

json::Value config_record(const Config& c) {
  auto numbers = [](const auto& xs) {
    json::Array a;
    for (const auto& x : xs) a.emplace_back(x);
    return json::Value(std::move(a));
  };
  json::Array maps, mixes, dists;
  for (const auto& m : c.maps) maps.emplace_back(m.label);
  for (const auto& m : c.mixes) {
    json::Value mix = json::Value::object();
    mix.set("name", m.name).set("weights", numbers(m.weights));
    mixes.push_back(std::move(mix));
  }
  for (const auto& d : c.dists) dists.emplace_back(d.name);
  // mapbench_native takes no --partition: every thread draws from the whole key space.
  json::Value partitions = json::Value::array();
  partitions.push("none");
  json::Value r = json::Value::object();
  r.set("maps", std::move(maps))
      .set("threads", numbers(c.threads))
      .set("cpus", c.cpus ? numbers(*c.cpus) : json::Value())
      .set("loadFactors", numbers(c.load_factors))
      .set("keys", numbers(c.keys))
      .set("mixes", std::move(mixes))
      .set("dists", std::move(dists))
      .set("partitions", partitions)
      .set("shards", numbers(c.shards))
      .set("rates", nullptr)
      .set("seriesWindowSeconds", nullptr)
      .set("sampleDiagnosticsSeconds", nullptr)
      .set("prefill", 1)
      .set("initialCapacity", c.initial_capacity ? json::Value(*c.initial_capacity) : json::Value())
      .set("maxLoadFactor", c.max_load_factor ? json::Value(*c.max_load_factor) : json::Value())
      .set("durationSeconds", c.duration_seconds)
      .set("warmupSeconds", c.warmup_seconds)
      .set("repeat", c.repeat)
      .set("mode", c.mode == Mode::kThroughput ? "throughput" : c.mode == Mode::kLatency ? "latency" : "both")
      .set("sampleEvery", c.sample_every)
      .set("stats", c.stats)
      .set("seed", c.seed)
      .set("interleave", false)
      .set("hugePages", c.huge_pages)
      .set("streamLength", c.stream_length ? json::Value(*c.stream_length) : json::Value())
      .set("streamBudgetBytes", c.stream_budget_bytes)
      .set("gateTimeoutSeconds", c.gate_timeout_seconds)
      .set("maxSkew", c.max_skew)
      .set("strict", c.strict)
      .set("out", c.out);
  return r;
}

}  // namespace mapbench::native_bench
