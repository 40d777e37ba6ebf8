#!/usr/bin/env bash
# Every planted bug still applies to the source it was written against: a change to core/ that
# moves a mutant's context makes tools/mutation-test.sh report "does not apply" (exit 2), which
# CI's subset would not notice for mutants outside it. Applied as mutation-test.sh does (patch
# -p1, which allows fuzz). Run by ctest (mutation.patches-apply).
set -euo pipefail
cd "$(dirname "$0")/../.."
stale=0
for patch in tools/mutants/*.patch; do
    if ! patch -p1 --forward --silent --dry-run < "$patch" >/dev/null 2>&1; then
        echo "check-patches: $patch does not apply to this tree (refresh it: make the same edit and take the diff)" >&2
        stale=$((stale + 1))
    fi
done
count=$(ls tools/mutants/*.patch | wc -l)
((count > 0)) || { echo "check-patches: no patches found" >&2; exit 1; }
((stale == 0)) || exit 1
echo "check-patches: all $count mutants apply"
