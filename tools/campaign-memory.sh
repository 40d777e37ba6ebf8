#!/usr/bin/env bash
# Peak resident memory of a campaign against its number of runs (issue 15: flat from 10^4 to
# 10^7). Usage: tools/campaign-memory.sh [SCENARIO] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PROTOCHECK:-build/release/protocheck}
scenario=${1:-scenarios/error-before-sync.json}
jobs=${2:-2}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '| runs | wall s | runs/s | peak RSS MB |\n|---|---|---|---|\n'
for runs in 10000 100000 1000000 10000000; do
    /usr/bin/time -f "%e %M" -o "$scratch/time" "$bin" simulate "$scenario" --runs "$runs" \
        --jobs "$jobs" --trace-out "$scratch/traces" >/dev/null
    read -r wall kb <"$scratch/time"
    printf '| %s | %s | %.0f | %.1f |\n' "$runs" "$wall" "$(echo "$runs / $wall" | bc -l)" \
        "$(echo "$kb / 1000" | bc -l)"
done
