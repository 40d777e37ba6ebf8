#!/usr/bin/env bash
# Builds the release preset and runs a simulation campaign on a bundled scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset release
cmake --build --preset release --target protocheck
build/release/protocheck simulate scenarios/error-between-puts.json --runs 1000 --seed 1 --report build/report.json
