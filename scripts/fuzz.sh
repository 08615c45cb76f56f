#!/usr/bin/env bash
# Builds the libFuzzer target test/fuzz/fuzz_lockfree (clang++, ASan + UBSan,
# build-fuzz/) and fuzzes it for SECONDS (default 30), starting from the seed
# corpus test/fuzz/corpus/.
#
#   bash scripts/fuzz.sh                 # 30 s  (npm run fuzz)
#   bash scripts/fuzz.sh 3600            # an hour (npm run fuzz -- 3600)
#   bash scripts/fuzz.sh 600 -fork=2     # anything after SECONDS goes to libFuzzer
#
# New inputs go to a temporary corpus directory (removed afterwards) unless
# MAPBENCH_FUZZ_CORPUS names a directory to keep them in across runs; the
# seed corpus is only read. A crash, a model mismatch (trap), a sanitizer
# report or a timeout writes the input to build-fuzz/artifacts/ and exits
# non-zero, printing the reproducer's path and the command that replays it.
#
# Environment:
#   MAPBENCH_FUZZ_CORPUS   keep the generated corpus here (created if missing)
#   MAPBENCH_FUZZ_MAX_LEN  longest input in bytes (default 512)
#   MAPBENCH_JOBS          build parallelism (default 2)
set -uo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30}
[ $# -gt 0 ] && shift
case "$DURATION" in
  '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number (got '$DURATION')" >&2; exit 2 ;;
esac
JOBS=${MAPBENCH_JOBS:-2}
MAX_LEN=${MAPBENCH_FUZZ_MAX_LEN:-512}
BUILD=build-fuzz
BIN=$BUILD/test/fuzz/fuzz_lockfree
SEEDS=test/fuzz/corpus
ARTIFACTS=$BUILD/artifacts

command -v clang++ >/dev/null || {
  echo "fuzz.sh: clang++ not found (libFuzzer needs clang): apt-get install clang" >&2
  exit 2
}

echo "=== fuzz: configure + build ($BUILD, $(clang++ --version | head -n1))"
mkdir -p "$BUILD"
if ! cmake -S . -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ -DMAPBENCH_BUILD_FUZZ=ON -DMAPBENCH_BUILD_TESTS=OFF \
    >"$BUILD/configure.log" 2>&1; then
  cat "$BUILD/configure.log"
  echo "fuzz.sh: configure failed" >&2
  exit 2
fi
cmake --build "$BUILD" --target fuzz_lockfree -j"$JOBS" || { echo "fuzz.sh: build failed" >&2; exit 2; }

if [ -n "${MAPBENCH_FUZZ_CORPUS:-}" ]; then
  CORPUS=$MAPBENCH_FUZZ_CORPUS
  mkdir -p "$CORPUS"
  keep_corpus=1
else
  CORPUS=$(mktemp -d "${TMPDIR:-/tmp}/mapbench-fuzz-corpus.XXXXXX")
  keep_corpus=0
fi
mkdir -p "$ARTIFACTS"
LOG=$BUILD/fuzz.log
cleanup() { [ "$keep_corpus" = 1 ] || rm -rf "$CORPUS"; }
trap cleanup EXIT

echo "=== fuzz: $BIN for ${DURATION} s (seeds $SEEDS, corpus $CORPUS, artifacts $ARTIFACTS/, log $LOG)"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# The writable corpus comes first: libFuzzer adds new inputs to the first
# directory only.
"$BIN" -max_total_time="$DURATION" -max_len="$MAX_LEN" -timeout=20 -rss_limit_mb=2048 \
  -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 "$@" "$CORPUS" "$SEEDS" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}

echo
echo "=== fuzz summary"
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$LOG" | tail -n 1 | sed 's/^/  last status: /'
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$LOG" | sed 's/^/  /'
echo "  corpus: $(find "$CORPUS" -type f | wc -l) inputs generated$([ "$keep_corpus" = 1 ] && echo " (kept in $CORPUS)")"
if [ "$rc" -ne 0 ]; then
  repro=$(grep -oE 'Test unit written to [^ ]+' "$LOG" | tail -n 1 | sed 's/^Test unit written to //')
  echo "FUZZ FAILURE (libFuzzer exit $rc)"
  if [ -n "$repro" ]; then
    echo "  reproducer: $repro"
    echo "  replay:     MAPBENCH_FUZZ_TRACE=1 $BIN $repro"
  else
    echo "  no reproducer was written; see $LOG"
  fi
  exit 1
fi
echo "fuzz: no failure in ${DURATION} s"
