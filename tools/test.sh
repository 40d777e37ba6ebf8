#!/usr/bin/env bash
# Builds (debug preset: assertions on) and runs the whole suite: unit, property, trace replay
# and simulation tests. Fails if any test fails or if no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset debug
cmake --build --preset debug
ctest --preset debug --no-tests=error
