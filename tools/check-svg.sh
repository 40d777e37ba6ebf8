#!/usr/bin/env bash
# ctest viz.svg.*: draws a trace's sequence chart and checks it is well-formed XML (xmllint).
# Usage: tools/check-svg.sh PROTOCHECK TRACE OUT_DIR
set -uo pipefail
protocheck=$1 trace=$2 out=$3
command -v xmllint > /dev/null || { echo "xmllint is missing (tools/setup.sh installs libxml2-utils)"; exit 1; }
mkdir -p "$out"
svg="$out/$(basename "$trace" .json).svg"
"$protocheck" show "$trace" --format svg --out "$svg" || exit 1
xmllint --noout "$svg" || { echo "$svg is not well-formed"; exit 1; }
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$svg" || { echo "no SVG root in $svg"; exit 1; }
echo "well-formed: $svg"
