#!/usr/bin/env bash
# The long form of the native differential test (test/native/test_differential.cc):
# every map design, single-threaded, against std::unordered_map, in a release
# build, with many more random ops per map, more erase/reinsert storms per
# run, and several seeds (each seed also shifts the key set of the
# insert-until-full cases). Seeds run MAPBENCH_JOBS at a time.
#
#   bash scripts/differential-long.sh            # ~2-3 min on 2 cores (npm run test:differential-long)
#   bash scripts/differential-long.sh 100000000  # 100M random ops per map and seed
#   MAPBENCH_DIFF_SEEDS="$(seq -s ' ' 1 32)" bash scripts/differential-long.sh
#
# Environment:
#   MAPBENCH_DIFF_OPS     random ops per map and seed in the medium-table case
#                         (default 32,000,000; the first argument overrides it);
#                         the tiny-table case runs 1/50 of it
#   MAPBENCH_DIFF_STORMS  erase/reinsert storms per medium-table run (default 64)
#   MAPBENCH_DIFF_SEEDS   the seeds, space-separated (default "1 2 3 4 5 6 7 8")
#   MAPBENCH_TEST_FILTER  only map configurations whose label contains this
#   MAPBENCH_JOBS         build parallelism and seeds run at once (default 2)
# Logs: build-native/differential-long/logs/seed-<seed>.log. Exits non-zero
# on any failure, printing the command that reruns the failing seed.
set -uo pipefail
cd "$(dirname "$0")/.."

OPS=${1:-${MAPBENCH_DIFF_OPS:-32000000}}
STORMS=${MAPBENCH_DIFF_STORMS:-64}
SEEDS=${MAPBENCH_DIFF_SEEDS:-"1 2 3 4 5 6 7 8"}
JOBS=${MAPBENCH_JOBS:-2}
BUILD=build-native/differential-long
BIN=$BUILD/test/native/test_differential
LOGS=$BUILD/logs
case "$OPS" in
  '' | *[!0-9]*) echo "differential-long.sh: the op count must be a whole number (got '$OPS')" >&2; exit 2 ;;
esac

start=$(date +%s)
echo "=== differential-long: configure + build ($BUILD, release)"
mkdir -p "$BUILD"
if ! cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMAPBENCH_SANITIZE=none >"$BUILD/configure.log" 2>&1; then
  cat "$BUILD/configure.log"
  echo "differential-long.sh: configure failed" >&2
  exit 2
fi
cmake --build "$BUILD" --target test_differential -j"$JOBS" || { echo "differential-long.sh: build failed" >&2; exit 2; }
built=$(date +%s)

rm -rf "$LOGS"
mkdir -p "$LOGS"
read -r -a seeds <<<"$SEEDS"
echo "=== differential-long: ${#seeds[@]} seeds (${seeds[*]}), $OPS random ops per map, $STORMS storms, $JOBS at a time"

run_seed() {
  local seed=$1 t0 rc
  t0=$(date +%s)
  MAPBENCH_TEST_SEED=$seed MAPBENCH_DIFF_OPS=$OPS MAPBENCH_DIFF_STORMS=$STORMS "$BIN" >"$LOGS/seed-$seed.log" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - t0 ))" >"$LOGS/seed-$seed.rc"
  printf '  seed %-6s %s in %s s: %s\n' "$seed" "$([ "$rc" -eq 0 ] && echo pass || echo FAIL)" \
    "$(( $(date +%s) - t0 ))" "$(tail -n 1 "$LOGS/seed-$seed.log")"
}

running=0
for seed in "${seeds[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_seed "$seed" &
  running=$((running + 1))
done
wait

failed=()
cases=0
for seed in "${seeds[@]}"; do
  rc=$(cut -d' ' -f1 "$LOGS/seed-$seed.rc" 2>/dev/null || echo 1)
  cases=$((cases + $(grep -c '^\[pass\]' "$LOGS/seed-$seed.log" 2>/dev/null || echo 0)))
  [ "$rc" = 0 ] || failed+=("$seed")
done

echo
echo "=== differential-long summary ($(( $(date +%s) - start )) s: build $((built - start)) s, runs $(( $(date +%s) - built )) s)"
echo "  ${#seeds[@]} seeds x $OPS random ops per map ($STORMS storms each), $cases cases passed; logs in $LOGS/"
if [ ${#failed[@]} -gt 0 ]; then
  for seed in "${failed[@]}"; do
    echo "FAILED: seed $seed ($LOGS/seed-$seed.log):"
    grep -E '^\S+:[0-9]+: |^\[FAIL\]|exception' "$LOGS/seed-$seed.log" | head -n 20 | sed 's/^/    /'
    echo "  rerun: MAPBENCH_TEST_SEED=$seed MAPBENCH_DIFF_OPS=$OPS MAPBENCH_DIFF_STORMS=$STORMS $BIN"
  done
  exit 1
fi
echo "differential-long: all passed"
