#!/usr/bin/env bash
# Every planted bug still applies to the source it was written against: a change to core/ that
# moves a mutant's context makes tools/mutation-test.sh report "does not apply" (exit 2), which
# CI's subset would not notice for mutants outside it. Applied as mutation-test.sh does (patch
# -p1, which allows fuzz). Run by ctest (mutation.patches-apply).
set -euo pipefail
cd "$(dirname "$0")/../.."
stale=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for patch in tools/mutants/*.patch; do
    if ! patch -p1 --forward --silent --dry-run < "$patch" >/dev/null 2>&1; then
        echo "check-patches: $patch does not apply to this tree (refresh it: make the same edit and take the diff)" >&2
        stale=$((stale + 1))
        continue
    fi
    # Applied with fuzz, the revert can land elsewhere (a mutant's context that matches twice)
    # and leave the mutation run's scratch tree broken for every later mutant: no fuzz, and
    # apply then revert must give back the same files.
    rm -rf "${scratch:?}"/*
    mapfile -t files < <(sed -n 's|^+++ b/||p' "$patch" | cut -f1)
    for file in "${files[@]}"; do
        mkdir -p "$scratch/$(dirname "$file")"
        cp "$file" "$scratch/$file"
    done
    if (cd "$scratch" && patch -p1 --forward < "$OLDPWD/$patch") 2>&1 | grep -q 'fuzz'; then
        echo "check-patches: $patch applies only with fuzz (refresh it)" >&2
        stale=$((stale + 1))
        continue
    fi
    (cd "$scratch" && patch -p1 -R --silent < "$OLDPWD/$patch") >/dev/null 2>&1 || true
    for file in "${files[@]}"; do
        if ! cmp -s "$file" "$scratch/$file"; then
            echo "check-patches: $patch does not revert to the same $file (refresh it)" >&2
            stale=$((stale + 1))
        fi
    done
done
count=$(ls tools/mutants/*.patch | wc -l)
((count > 0)) || { echo "check-patches: no patches found" >&2; exit 1; }
((stale == 0)) || exit 1
echo "check-patches: all $count mutants apply without fuzz and revert cleanly"
