#!/usr/bin/env bash
# The shrink figures of issue 15: for each design variant that breaks a property, a 2,000-run
# campaign from seed 1 (every failing run's trace kept), then `protocheck shrink` on each of
# them (at most SAMPLE per variant, the lowest seeds) and on the saved traces/violations/; the
# table gives traces, mean steps before and after, the ratio, the longest result against its
# input (never longer), and the shortest counterexample `check` finds (the floor no shrinker
# can pass). Usage: tools/shrink-table.sh [SAMPLE=200]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PROTOCHECK:-build/release/protocheck}
sample=${1:-200}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rows=$(awk '/<<.ROWS./{f=1;next}/^ROWS$/{f=0}f' tools/regen-traces.sh)
# And larger scenarios, where a run does much the violation does not need.
rows+=$'\nbench-chain-5 network=unordered LC-1\nbench-chain-5 close_port_info=none SY-3\nindependent-pipelines network=unordered LC-1\ntractor-peer-canceller network=unordered LC-1'

shrink_all() {  # DIR -> "count before after worst_ratio all_same_property"
    python3 - "$bin" "$1" "$2" "$scratch" <<'PY'
import json, subprocess, sys, os
binary, directory, sample, scratch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def seed(name):
    try: return int(name.rsplit('-seed-', 1)[1].split('.')[0])
    except Exception: return 0
files = sorted((f for f in os.listdir(directory) if f.endswith('.json') and '.shrunk.' not in f and f != 'report.json'), key=seed)[:sample]
before = after = 0; longer = 0; same = True
for name in files:
    path = os.path.join(directory, name); out = os.path.join(scratch, name + '.small')
    shrunk_run = subprocess.run([binary, 'shrink', path, '--out', out], capture_output=True)
    if shrunk_run.returncode not in (0, 3):  # 3: stopped early, the best so far written
        sys.exit(f"shrink failed on {path}: {shrunk_run.stderr.decode()}")
    original, shrunk = json.load(open(path)), json.load(open(out))
    b, a = len(original['steps']), len(shrunk['steps'])
    before += b; after += a; longer += a > b
    same &= original['violation']['property'] == shrunk['violation']['property']
    replay = subprocess.run([binary, 'replay', out], capture_output=True, text=True)
    same &= replay.returncode == 0 and 'reproduced violation of ' + original['violation']['property'] in replay.stdout
n = len(files)
if n == 0:
    print("0 - - - 0 -"); sys.exit(0)
print(f"{n} {before / n:.1f} {after / n:.1f} {before / after:.2f} {longer} {'yes' if same else 'NO'}")
PY
}
printf '| variant | scenario | property | traces | mean steps | shrunk | ratio | longer | replays, same property | check shortest |\n|---|---|---|---|---|---|---|---|---|---|\n'
while read -r scenario variant property; do
    dir="$scratch/${variant/=/-}"
    mkdir -p "$dir"
    "$bin" simulate "scenarios/$scenario.json" --runs 2000 --seed 1 --variant "$variant" \
        --no-shrink --trace-out "$dir" >/dev/null || true
    read -r count before after ratio longer same <<<"$(shrink_all "$dir" "$sample")"
    # The checker's shortest counterexample, when it finds one within a minute.
    shortest=$( (timeout 60 "$bin" check "scenarios/$scenario.json" --variant "$variant" \
        --threads 2 --trace-out "$scratch/cex.json" 2>/dev/null || true) |
        sed -n 's/^shortest counterexample: \([0-9]*\).*/\1/p')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$variant" "$scenario" "$property" \
        "$count" "$before" "$after" "$ratio" "$longer" "$same" "${shortest:-(none in 60 s)}"
done <<<"$rows"
read -r count before after ratio longer same <<<"$(shrink_all traces/violations 1000)"
printf '| traces/violations/ | (13 files) | | %s | %s | %s | %s | %s | %s | |\n' "$count" "$before" "$after" "$ratio" "$longer" "$same"
