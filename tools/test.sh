#!/usr/bin/env bash
# Builds (debug preset: assertions on) and runs the whole suite: unit, property, trace replay
# and simulation tests; then builds the libFuzzer harnesses (fuzz preset, clang) and runs their
# regression inputs and a bounded campaign each. Fails if any test fails or if no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset debug
cmake --build --preset debug
ctest --preset debug --no-tests=error
cmake --preset fuzz
cmake --build --preset fuzz
ctest --preset fuzz --no-tests=error
