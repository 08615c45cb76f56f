#!/usr/bin/env bash
# Linearizability check of every map: builds test_linearizability in the
# release tree (build-native/release, configured first if it is not) and
# runs it with the arguments given — seeded histories of small concurrent
# runs, each checked against a sequential map (see README, "Linearizability").
#
#   bash scripts/check-linearizability.sh --histories 10000
#   npm run check:linearizability -- --histories 10000 [--threads T] [--keys K] [--ops N]
#                                    [--seed S] [--map NAME] [--include-broken]
#
# No arguments means --histories 1000. Prints, per map, the histories
# checked and the shrunk witness of the first non-linearizable one. Exit
# status 1 when a real map shows a violation (the broken map, run only with
# --include-broken or --map broken, must show one), 2 on bad arguments or a
# failed build.
#
# Environment:
#   MAPBENCH_JOBS   build parallelism (default 2)
set -uo pipefail
cd "$(dirname "$0")/.."

JOBS=${MAPBENCH_JOBS:-2}
BUILD=build-native/release
BIN=$BUILD/test/native/test_linearizability

# Without arguments the binary runs its ctest suite; here the default is a
# longer check.
[ $# -eq 0 ] && set -- --histories 1000
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "check-linearizability: $tool not found" >&2; exit 2; }
done

# Configure when the tree is new; otherwise re-run configure with its cached
# options (a second), so a tree configured before this test existed learns
# the target.
mkdir -p "$BUILD"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "=== configure $BUILD"
  configure=(cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMAPBENCH_SANITIZE=none)
else
  configure=(cmake -S . -B "$BUILD")
fi
if ! "${configure[@]}" >"$BUILD/configure-linearizability.log" 2>&1; then
  cat "$BUILD/configure-linearizability.log" >&2
  exit 2
fi
echo "=== build $BIN"
cmake --build "$BUILD" --target test_linearizability -j"$JOBS" >"$BUILD/build-linearizability.log" 2>&1 || {
  cat "$BUILD/build-linearizability.log" >&2
  exit 2
}

"$BIN" "$@"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || [ $rc -eq 2 ] || rc=1  # a crash is a failure, not a usage error
exit $rc
