#!/usr/bin/env bash
# Builds the release preset, runs a simulation campaign on a bundled scenario, then checks every
# interleaving of it (with one injected crash, host cancel and OS signal).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset release
cmake --build --preset release --target protocheck
build/release/protocheck simulate scenarios/error-between-puts.json --runs 1000 --seed 1 --report build/report.json
build/release/protocheck check scenarios/error-between-puts.json --faults crash:1,cancel:1,signal:1 \
    --report build/check-report.json --trace-out build/counterexample.json
build/release/protocheck show traces/violations/violation-data_message_failed-off-data-to-exiting-component-seed-1.json \
    --format html --out build/viewer.html   # open it in a browser: arrow keys step through the run
