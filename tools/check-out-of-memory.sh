#!/bin/sh
# ctest check.out-of-memory: a search that runs out of memory on any of its threads stops with
# what it found (exit 3, INCOMPLETE, a report), never an abort. The address space is capped with
# ulimit -v so that an allocation fails a few seconds in.
# Usage: tools/check-out-of-memory.sh PROTOCHECK SCENARIO REPORT
protocheck=$1
scenario=$2
report=$3
rm -f "$report"
output=$(ulimit -v 150000 && "$protocheck" check "$scenario" --threads 2 --report "$report" 2>&1)
code=$?
echo "$output"
if [ "$code" -ne 3 ]; then
    echo "expected exit 3, got $code"
    exit 1
fi
echo "$output" | grep -q "INCOMPLETE: out of memory" || { echo "no out-of-memory stop"; exit 1; }
grep -q '"stop_reason": "out of memory' "$report" || { echo "no report of it"; exit 1; }
echo "stopped cleanly"
