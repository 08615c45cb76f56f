// environment.cc — see environment.h.
#include "environment.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalogue/catalogue.h"
#include "catalogue/checks.h"
#include "catalogue/registry.h"
#include "runtime/alloc.h"
#include "runtime/common.h"
#include "runtime/tsc.h"

#ifndef MAPBENCH_CXX_FLAGS
#define MAPBENCH_CXX_FLAGS "unknown"
#endif
#ifndef MAPBENCH_BUILD_SYSTEM
#define MAPBENCH_BUILD_SYSTEM "unknown"
#endif
// The checkout this binary was built from, for its git commit (CMake sets it).
#ifndef MAPBENCH_SOURCE_DIR
#define MAPBENCH_SOURCE_DIR ""
#endif

extern char** environ;

namespace mapbench::native_bench {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return {};
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\n\r");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\n\r") - a + 1);
}

// os.arch()'s names for the machine uname reports.
std::string node_arch(const std::string& machine) {
  if (machine == "x86_64") return "x64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i386" || machine == "i686") return "ia32";
  return machine;
}

// os.cpus()[0].model: the first "model name" of /proc/cpuinfo.
std::string cpu_model() {
  std::istringstream in(read_file("/proc/cpuinfo"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return trim(line.substr(line.find(':') + 1));
  return "unknown";
}

// Cache sizes of cpu0 from /sys, named as src/environment.ts names them (L1d, L1i, L2, L3).
json::Value caches() {
  namespace fs = std::filesystem;
  json::Value out = json::Value::object();
  const fs::path base = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(base, ec))
    if (e.path().filename().string().rfind("index", 0) == 0) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    const std::string level = trim(read_file((e / "level").string()));
    const std::string type = trim(read_file((e / "type").string()));
    const std::string size = trim(read_file((e / "size").string()));
    if (level.empty() || size.empty()) continue;
    out.set("L" + level + (type == "Data" ? "d" : type == "Instruction" ? "i" : ""), size);
  }
  return out;
}

// os.totalmem(): MemTotal of /proc/meminfo.
std::uint64_t memory_bytes() {
  std::istringstream in(read_file("/proc/meminfo"));
  std::string key;
  std::uint64_t kb = 0;
  while (in >> key) {
    if (key == "MemTotal:" && in >> kb) return kb * 1024;
    in.ignore(1 << 20, '\n');
  }
  return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

json::Value git_block() {
  json::Value g = json::Value::object();
  const std::string dir = MAPBENCH_SOURCE_DIR;
  const Captured head = dir.empty() ? Captured{} : run_capture({"git", "-C", dir, "rev-parse", "HEAD"});
  const Captured status = head.ok ? run_capture({"git", "-C", dir, "status", "--porcelain", "--untracked-files=no"}) : Captured{};
  if (head.ok && status.ok) g.set("commit", trim(head.out)).set("dirty", !trim(status.out).empty());
  else g.set("commit", nullptr).set("dirty", nullptr);
  return g;
}

// The peer maps this build holds and their libraries' versions (src/environment.ts peerVersions).
json::Value peers() {
  json::Array out;
  for (const auto& d : designs()) {
    if (!d.peer) continue;
    const std::string package = d.peer->package;
    const Captured v = run_capture({"dpkg-query", "-W", "-f=${Version}", package});
    const std::string version = v.ok ? trim(v.out) : "";
    json::Value p = json::Value::object();
    p.set("map", d.name).set("package", package);
    p.set("packageVersion", version.empty() ? json::Value() : json::Value(version));
    p.set("libraryVersion", d.library_version);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Captured run_capture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  Captured r;
  if (rc != 0) {
    close(pipe_fds[0]);
    return r;
  }
  char buf[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof(buf))) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out.append(buf, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

bool debug_build() {
#ifdef MAPBENCH_DEBUG
  return true;
#else
  return false;
#endif
}

bool march_native_build() {
#ifdef MAPBENCH_MARCH_NATIVE
  return true;
#else
  return false;
#endif
}

std::string transparent_huge_pages() { return alloc::transparent_huge_pages_mode(); }

json::Value capture_environment(double tsc_hz, const TimerOverhead& timer, const std::vector<std::string>& command_line) {
  utsname u{};
  uname(&u);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = 0;
  const tsc::Invariance inv = tsc::invariance();

  json::Value build = json::Value::object();
  build.set("compiler", "g++ " __VERSION__)
      .set("flags", MAPBENCH_CXX_FLAGS)
      .set("buildSystem", MAPBENCH_BUILD_SYSTEM)
      .set("pad", static_cast<std::uint64_t>(kPad))
      .set("marchNative", march_native_build())
      .set("debug", debug_build())
      .set("transparentHugePages", transparent_huge_pages());

  json::Value tsc_flags = json::Value();
  if (inv.known) {
    tsc_flags = json::Value::object();
    tsc_flags.set("constantTsc", inv.constant).set("nonstopTsc", inv.nonstop);
  }
  json::Array commands(command_line.begin(), command_line.end());
  json::Value timer_block = json::Value::object();
  timer_block.set("p50", timer.p50_ns).set("mean", timer.mean_ns);

  json::Value e = json::Value::object();
  std::string platform = u.sysname;
  std::transform(platform.begin(), platform.end(), platform.begin(), [](unsigned char ch) { return std::tolower(ch); });
  e.set("hostname", std::string(host))
      .set("platform", platform + " " + node_arch(u.machine))
      .set("kernel", std::string(u.release))
      .set("cpuModel", cpu_model())
      .set("logicalCores", static_cast<std::uint64_t>(sysconf(_SC_NPROCESSORS_ONLN)))
      .set("caches", caches())
      .set("memoryBytes", memory_bytes())
      .set("loadAverage", json::Array{load[0], load[1], load[2]})
      .set("tscHz", tsc_hz)
      .set("tscInvariant", std::move(tsc_flags))
      .set("build", std::move(build))
      .set("git", git_block())
      .set("commandLine", std::move(commands))
      .set("timerOverheadNs", std::move(timer_block))
      .set("peers", peers());
  return e;
}

}  // namespace mapbench::native_bench
