#!/usr/bin/env bash
# The replay sweep (check/test/replay_sweep_test.cpp) under valgrind's memcheck: `check` on every
# bundled scenario under every design of contract §8 (with one crash, host cancel and OS signal
# on the small ones), and `replay` of every counterexample, all in-process; any invalid read or
# write, use of uninitialised memory or bad free fails the run (exit 99). Valgrind is some fifty
# times slower than a native run, so the searches are cut at PROTOCHECK_SWEEP_MAX_STATES states
# (default here 20000, as in debug and sanitizer builds: about 6.5 minutes on 2 cores).
#
# Usage: tools/valgrind-sweep.sh [BUILD_DIR]   (default build/release; needs protocheck_tests)
# Needs Debian's valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
command -v valgrind >/dev/null || { echo "valgrind-sweep: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[[ -x $build/protocheck_tests ]] || { echo "valgrind-sweep: no $build/protocheck_tests (build it first)" >&2; exit 2; }
export PROTOCHECK_SWEEP_MAX_STATES=${PROTOCHECK_SWEEP_MAX_STATES:-20000}
start=$(date +%s)
valgrind --error-exitcode=99 --leak-check=no --track-origins=no --quiet \
    "$build/protocheck_tests" --gtest_filter='Bundled/ReplaySweep.*' --gtest_brief=1
echo "valgrind-sweep: clean, $(($(date +%s) - start)) s (bound $PROTOCHECK_SWEEP_MAX_STATES states)"
