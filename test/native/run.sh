#!/usr/bin/env bash
# The native test suite: builds the core and its tests three times with
# CMake and runs them with ctest in each tree:
#
#   build-native/release   -O3, as benchmarked
#   build-native/tsan      ThreadSanitizer        (MAPBENCH_SANITIZE=thread)
#   build-native/asan      AddressSanitizer+UBSan (MAPBENCH_SANITIZE=address)
#
# then checks in the release build that the lock-free map really uses
# hardware atomics (lock cmpxchg) and calls no mutex.
#
#   bash test/native/run.sh                 # all three trees (npm run test:native)
#   bash test/native/run.sh release tsan    # only these trees
#
# Environment:
#   MAPBENCH_JOBS             build parallelism (default 2)
#   MAPBENCH_SANITIZER_SCALE  op-count scale for the sanitizer trees (default 0.25;
#                             exported to the tests as MAPBENCH_TEST_SCALE, see
#                             test/native/check.h). The release tree always runs
#                             the full counts unless MAPBENCH_TEST_SCALE is set.
#   MAPBENCH_TEST_FILTER      only map configurations whose label contains this
#   MAPBENCH_TEST_SEED, MAPBENCH_STRESS_MS   see test/native/test_stress.cc
# Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
JOBS=${MAPBENCH_JOBS:-2}
SAN_SCALE=${MAPBENCH_SANITIZER_SCALE:-0.25}
TREES=("$@")
[ ${#TREES[@]} -eq 0 ] && TREES=(release tsan asan)

for tool in cmake ctest objdump g++; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done

start_all=$(date +%s)
failures=()
summary=()

say() { printf '\n=== %s\n' "$*"; }

# Collects "<exe>: N passed, M failed" from the last ctest log of a tree.
collect_counts() {
  local tree=$1 log="build-native/$1/Testing/Temporary/LastTest.log"
  [ -f "$log" ] || return 0
  while IFS= read -r line; do
    summary+=("$(printf '%-8s %s' "$tree" "$line")")
  done < <(grep -E '^test_[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log")
}

# Asserts the release build's lock-free code uses lock cmpxchg and calls no
# mutex, and that the same scan does find the mutex calls in the mutex map
# (so a clean result is not a scan that sees nothing).
check_atomics() {
  local bin="build-native/release/test/native/test_stress"
  local dump="build-native/release/objdump-test_stress.txt"
  say "objdump: hardware atomics in the lock-free map ($bin)"
  if [ ! -x "$bin" ]; then
    echo "missing $bin"
    return 1
  fi
  objdump -d --no-show-raw-insn -C "$bin" > "$dump" || return 1
  awk '
    function short(f) { return length(f) > 110 ? substr(f, 1, 107) "..." : f }
    /^[0-9a-f]+ <.*>:$/ {
      fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn)
      lf = (fn ~ /LockFreeMap/); mx = (fn ~ /LockedMap<mapbench::MutexLock[,>]/)
      if (lf) lf_fns++
      next
    }
    lf && /lock cmpxchg/ { cas++; line = $0; sub(/^ +/, "", line); printf "  found  %-44s in %s\n", line, short(fn)
                           if (fn ~ /MapAdapter<mapbench::LockFreeMap>::insert|LockFreeMap::claim/) claim_cas++
                           if (fn ~ /run_phase<false, mapbench::LockFreeMap, mapbench::NoStats>/) loop_cas++ }
    lf && /\txchg +%r/ { line = $0; sub(/^ +/, "", line); printf "  found  %-44s in %s\n", line, short(fn) }
    lf && /call/ { calls++ }
    lf && /call/ && /pthread_mutex|pthread_rwlock|mutex::lock|mutex::try_lock|__gthread|pthread_spin/ {
      bad++; line = $0; sub(/^ +/, "", line); printf "  MUTEX  %s in %s\n", line, short(fn) }
    lf && /call/ && /__atomic_|libatomic/ { bad++; line = $0; sub(/^ +/, "", line); printf "  LIBATOMIC  %s in %s\n", line, short(fn) }
    mx && /call/ && /pthread_mutex_lock/ { control++ }
    END {
      printf "  %d LockFreeMap functions, %d lock cmpxchg (%d in insert/claim, %d in the timed loop), %d calls, %d to a mutex or libatomic\n", lf_fns, cas, claim_cas, loop_cas, calls, bad
      printf "  control: %d calls to pthread_mutex_lock found in LockedMap<MutexLock, ...> functions by the same scan\n", control
      ok = lf_fns > 0 && cas > 0 && claim_cas > 0 && loop_cas > 0 && bad == 0 && control > 0
      print ok ? "  atomics check: OK" : "  atomics check: FAILED"
      exit ok ? 0 : 1
    }' "$dump"
}

for tree in "${TREES[@]}"; do
  case "$tree" in
    release) sanitize=none; build_type=Release ;;
    tsan) sanitize=thread; build_type=Debug ;;
    asan) sanitize=address; build_type=Debug ;;
    *) echo "run.sh: unknown tree '$tree' (release, tsan, asan)" >&2; exit 2 ;;
  esac
  dir="build-native/$tree"
  t0=$(date +%s)
  say "$tree: configure + build ($dir, MAPBENCH_SANITIZE=$sanitize)"
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$build_type" -DMAPBENCH_SANITIZE="$sanitize" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log"
    failures+=("$tree: configure")
    continue
  fi
  grep -- '-- mapbench:' "$dir/configure.log" || true
  if ! cmake --build "$dir" -j"$JOBS"; then
    failures+=("$tree: build")
    continue
  fi
  t1=$(date +%s)

  if [ "$tree" = release ]; then
    check_atomics || failures+=("release: atomics check")
  fi

  say "$tree: ctest"
  (
    case "$tree" in
      release) ;;
      tsan)
        export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
        export MAPBENCH_TEST_SCALE=${MAPBENCH_TEST_SCALE:-$SAN_SCALE}
        ;;
      asan)
        export ASAN_OPTIONS="detect_leaks=1 halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
        export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
        export MAPBENCH_TEST_SCALE=${MAPBENCH_TEST_SCALE:-$SAN_SCALE}
        ;;
    esac
    runner=()
    # ThreadSanitizer cannot map its shadow memory under some kernels' high
    # ASLR entropy; run without address randomisation there.
    if [ "$tree" = tsan ] && command -v setarch >/dev/null &&
       "$dir/test/native/test_layout" 2>&1 | grep -q "unexpected memory mapping"; then
      echo "(tsan: unexpected memory mapping; running under setarch -R)"
      runner=(setarch "$(uname -m)" -R)
    fi
    cd "$dir" && "${runner[@]}" ctest --output-on-failure
  ) || failures+=("$tree: ctest")
  collect_counts "$tree"
  t2=$(date +%s)
  echo "$tree: build $((t1 - t0)) s, tests $((t2 - t1)) s"
done

say "summary ($(( $(date +%s) - start_all )) s)"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED:"
  for f in "${failures[@]}"; do echo "  $f"; done
  exit 1
fi
echo "native tests: all passed"
