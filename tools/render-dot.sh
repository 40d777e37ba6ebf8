#!/usr/bin/env bash
# ctest viz.dot.*: exports a scenario's state graph as DOT and renders it with Graphviz's dot.
# Usage: tools/render-dot.sh PROTOCHECK SCENARIO OUT_DIR [MAX_STATES]
# Without MAX_STATES the export must be whole (exit 0); with it, whole or cut (exit 0 or 3).
# dot must then render it to a non-empty SVG.
set -uo pipefail
protocheck=$1 scenario=$2 out=$3 max_states=${4:-}
command -v dot > /dev/null || { echo "graphviz's dot is missing (tools/setup.sh installs it)"; exit 1; }
mkdir -p "$out"
name=$(basename "$scenario" .json)
args=(export "$scenario" --format dot --out "$out/$name.dot")
[[ -n $max_states ]] && args+=(--max-states "$max_states")
"$protocheck" "${args[@]}"
code=$?
if [[ $code -ne 0 && ! ( -n $max_states && $code -eq 3 ) ]]; then
  echo "export exited $code"
  exit 1
fi
dot -Tsvg "$out/$name.dot" -o "$out/$name.svg" || { echo "dot could not render $out/$name.dot"; exit 1; }
[[ -s $out/$name.svg ]] || { echo "dot wrote an empty SVG"; exit 1; }
echo "rendered $out/$name.svg"
