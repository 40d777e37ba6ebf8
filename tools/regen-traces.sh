#!/usr/bin/env bash
# Regenerates traces/corpus and traces/violations after a change that moves fingerprints (a new
# state field, a protocol fix). Review the diff: a clean trace must stay clean, and every
# violation trace must still show its variant's property.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PROTOCHECK:-build/release/protocheck}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rm -f traces/corpus/*.json traces/violations/*.json
# One clean run (seed 1) of every bundled scenario but the benchmark rings.
for scenario in scenarios/*.json; do
    name=$(basename "$scenario" .json)
    case $name in ring-*|bench-*) continue ;; esac
    "$bin" simulate "$scenario" --runs 1 --seed 1 --keep-traces all --trace-out "$scratch/clean" >/dev/null
done
cp "$scratch"/clean/*.json traces/corpus/
# Runs with injected faults that failed while the protocol was being fixed (now clean).
for pair in both-ends-exit:595 chain:109 chain:139 chain:2257 chain-leader-crash:1265 \
            error-after-sync:84 error-after-sync:10 port-in-message:15 tractor-peer-canceller:168 \
            tractor-peer-canceller:703 tractor-relayed-inception-error:16 \
            tractor-relayed-inception-error:890 transfer-in-flight:595; do
    name=${pair%%:*}
    seed=${pair##*:}
    rm -rf "$scratch/f"
    "$bin" simulate "scenarios/$name.json" --runs 1 --seed "$seed" --faults crash:1,cancel:1,signal:1 \
        --keep-traces all --trace-out "$scratch/f" >/dev/null
    cp "$scratch/f/$name-seed-$seed.json" "traces/corpus/$name-faults-seed-$seed.json"
done
# One violation per non-default variant: the first seed of a campaign from seed 1 that breaks
# the property the variant is named for (the trace replays to that run's first violation).
while read -r scenario variant property; do
    rm -rf "$scratch/v"
    "$bin" simulate "scenarios/$scenario.json" --runs 2000 --seed 1 --variant "$variant" \
        --trace-out "$scratch/v" --report "$scratch/report.json" >/dev/null || true
    seed=$(python3 -c "import json,sys; r=json.load(open('$scratch/report.json')); print(r['properties']['$property']['first_seed'])")
    cp "$scratch/v/$scenario-seed-$seed.json" "traces/violations/violation-${variant/=/-}-$scenario-seed-$seed.json"
done <<'ROWS'
close-port-overtakes-solution close_port_info=in_sync_flag SY-3
chain close_port_info=none SY-3
data-to-exiting-component data_message_failed=off LC-2
chain-leader-crash leader_holds_refs=off LC-1
transfer-overtaking transfer_blocks_peer=off PT-1
rayfed-cross-silo-normal-task-error error_relay=none DF-1
rayfed-exit-on-sending-failure shutdown_guard=lock DF-1
rayfed-exit-on-sending-failure shutdown_guard=none NM-5
tractor-cancel-masks-remote-error cancel_precedence=cancel_overrides NM-2
transfer-overtaking network=fifo_channel PT-1
transfer-overtaking network=unordered PT-1
round-cancel-after-vote round_cancel_after_vote=immediate SY-1
out-of-order-after-hand-off ordering=none SY-5
ROWS
# Findings (scenarios/findings, kept out of the per-scenario campaigns): puts of ports that
# carry each other's destinations hang as an application deadlock (seed 3: the cycle m1 -> m2
# -> m1), and with a crash an exit stalls behind one (DF-2, the default design).
findings=scenarios/findings/crossing-put-hand-offs.json
rm -rf "$scratch/x"
"$bin" simulate "$findings" --runs 1 --seed 3 --keep-traces all --trace-out "$scratch/x" >/dev/null
cp "$scratch/x/crossing-put-hand-offs-seed-3.json" traces/corpus/
"$bin" check "$findings" --faults crash:1 \
    --trace-out traces/violations/violation-default-crossing-put-hand-offs-crash.json >/dev/null || true
echo "corpus: $(ls traces/corpus | wc -l) traces, violations: $(ls traces/violations | wc -l)"
