// check.h — the native tests' assertion helpers: no framework, just macros
// that say where and what failed, grouped into named cases.
//
//   int main() {
//     mbtest::Suite suite("differential");
//     suite.run("mutex: 1M ops", [&] { CHECK_EQ(map->size(), 0u); ... });
//     return suite.finish();   // prints "N passed, M failed"; exit status 1 on any failure
//   }
//
// A failed CHECK prints "file:line: CHECK_EQ(a, b) failed: 3 vs 4 [message]".
// On the thread running a case it then ends that case (the suite goes on
// with the next one and exits non-zero at the end); on any other thread
// (stress workers) it flushes and exits the process with status 1 at once,
// since there is no safe way to unwind a worker.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/common.h"

namespace mbtest {

struct CaseFailed {};  // thrown to end the current case

inline thread_local bool tls_case_thread = false;

inline std::string show(mapbench::Status s) { return mapbench::status_name(s); }
inline std::string show(const std::string& s) { return "\"" + s + "\""; }
inline std::string show(const char* s) { return s ? show(std::string(s)) : "(null)"; }
inline std::string show(bool b) { return b ? "true" : "false"; }
template <class T>
std::string show(const T& v) {
  std::ostringstream os;
  if constexpr (std::is_enum_v<T>) {
    os << static_cast<long long>(v);
  } else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
    os << static_cast<int>(v);
  } else {
    os << v;
  }
  return os.str();
}

[[noreturn]] inline void fail(const char* file, int line, const std::string& what, const std::string& msg) {
  std::fprintf(stderr, "%s:%d: %s%s%s\n", file, line, what.c_str(), msg.empty() ? "" : " — ", msg.c_str());
  std::fflush(stderr);
  if (tls_case_thread) throw CaseFailed{};
  std::fflush(stdout);
  std::_Exit(1);
}

// Builds the optional trailing message from any streamable pieces.
template <class... Args>
std::string msg(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

class Suite {
 public:
  explicit Suite(std::string name) : name_(std::move(name)) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("== %s\n", name_.c_str());
  }

  // Runs one case; a failed CHECK or an exception inside it fails the case.
  void run(const std::string& label, const std::function<void()>& body) {
    auto t0 = std::chrono::steady_clock::now();
    bool ok = false;
    tls_case_thread = true;
    try {
      body();
      ok = true;
    } catch (const CaseFailed&) {
    } catch (const std::exception& e) {
      std::fprintf(stderr, "exception: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "unknown exception\n");
    }
    tls_case_thread = false;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    (ok ? passed_ : failed_) += 1;
    std::printf("%s %s (%.0f ms)\n", ok ? "[pass]" : "[FAIL]", label.c_str(), ms);
  }

  int finish() const {
    std::printf("%s: %d passed, %d failed\n", name_.c_str(), passed_, failed_);
    return failed_ == 0 && passed_ > 0 ? 0 : 1;
  }

 private:
  std::string name_;
  int passed_ = 0;
  int failed_ = 0;
};

// Scales an operation count: MAPBENCH_TEST_SCALE (a positive number,
// default 1) multiplies every count that goes through here, so a slow
// build (sanitizers) or a quick local run can shrink the work without
// editing tests. The result is at least `floor_count`.
inline std::uint64_t scaled(std::uint64_t count, std::uint64_t floor_count = 1) {
  static const double scale = [] {
    const char* s = std::getenv("MAPBENCH_TEST_SCALE");
    double v = s ? std::atof(s) : 1.0;
    return v > 0 ? v : 1.0;
  }();
  auto n = static_cast<std::uint64_t>(static_cast<double>(count) * scale);
  return n < floor_count ? floor_count : n;
}

}  // namespace mbtest

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      ::mbtest::fail(__FILE__, __LINE__, "CHECK(" #cond ") failed",                                \
                     ::mbtest::msg("" __VA_OPT__(, ) __VA_ARGS__));                                \
  } while (0)

#define MBTEST_CMP(op, name, a, b, ...)                                                            \
  do {                                                                                             \
    const auto mbtest_a_ = (a);                                                                    \
    const auto mbtest_b_ = (b);                                                                    \
    if (!(mbtest_a_ op mbtest_b_))                                                                 \
      ::mbtest::fail(__FILE__, __LINE__,                                                           \
                     name "(" #a ", " #b ") failed: " + ::mbtest::show(mbtest_a_) + " vs " +       \
                         ::mbtest::show(mbtest_b_),                                                \
                     ::mbtest::msg("" __VA_OPT__(, ) __VA_ARGS__));                                \
  } while (0)

#define CHECK_EQ(a, b, ...) MBTEST_CMP(==, "CHECK_EQ", a, b __VA_OPT__(, ) __VA_ARGS__)
#define CHECK_NE(a, b, ...) MBTEST_CMP(!=, "CHECK_NE", a, b __VA_OPT__(, ) __VA_ARGS__)
#define CHECK_LT(a, b, ...) MBTEST_CMP(<, "CHECK_LT", a, b __VA_OPT__(, ) __VA_ARGS__)
#define CHECK_LE(a, b, ...) MBTEST_CMP(<=, "CHECK_LE", a, b __VA_OPT__(, ) __VA_ARGS__)
#define CHECK_GT(a, b, ...) MBTEST_CMP(>, "CHECK_GT", a, b __VA_OPT__(, ) __VA_ARGS__)
#define CHECK_GE(a, b, ...) MBTEST_CMP(>=, "CHECK_GE", a, b __VA_OPT__(, ) __VA_ARGS__)
// |a - b| <= tol
#define CHECK_NEAR(a, b, tol, ...)                                                                 \
  do {                                                                                             \
    const double mbtest_a_ = static_cast<double>(a);                                               \
    const double mbtest_b_ = static_cast<double>(b);                                               \
    const double mbtest_t_ = static_cast<double>(tol);                                             \
    if (!(mbtest_a_ - mbtest_b_ <= mbtest_t_ && mbtest_b_ - mbtest_a_ <= mbtest_t_))               \
      ::mbtest::fail(__FILE__, __LINE__,                                                           \
                     "CHECK_NEAR(" #a ", " #b ", " #tol ") failed: " + ::mbtest::show(mbtest_a_) + \
                         " vs " + ::mbtest::show(mbtest_b_),                                       \
                     ::mbtest::msg("" __VA_OPT__(, ) __VA_ARGS__));                                \
  } while (0)
