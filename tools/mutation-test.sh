#!/usr/bin/env bash
# Mutation testing ("planted bugs"): does the checker catch plausible runtime bugs?
#
# Each tools/mutants/NN-name.patch is one small edit of core/ (a few of model/src/world.cpp's own
# runtime semantics) with two header lines, `# rule:` (the rule it breaks) and `# expect:` (the
# property ids expected to catch it). A third, optional, `# conformance: SCENARIO [FLAGS]`, names
# a run of `protocheck prove --conformance` that must pass on the unmutated build (exit 0, or 3
# when its --max-states bound cut the search with no drift) and fail on the mutant (exit 1): the SMT encoding no longer matches the altered handler (docs/invariants.md). The script copies the source tree once into a scratch
# directory, configures and builds a release `protocheck` there, checks the unmutated build on
# every scenario run it will use (a run that already fails there cannot kill anything and is left
# out, with a warning), then for each mutant: applies the patch, rebuilds incrementally, runs
# `protocheck check` on the bundled scenarios (not ring-*, bench-*), smallest file first, first
# every scenario without faults and then every scenario with `--faults crash:1`, stops at the
# first run that exits 1 (a violation: the mutant is killed), and reverts the patch. Exit 3 (a
# bound was hit) does not kill.
#
# Usage: tools/mutation-test.sh [--subset] [--every-property] [--jobs-build N] [--rev REV] [MUTANT...]
#   --subset        only the mutants listed in tools/mutants/SUBSET (CI)
#   --every-property  after a kill, run the remaining scenarios too and list every property each
#                   mutant breaks; the report ends with the property ids no mutant broke
#   --jobs-build N  parallel compile jobs (default 1)
#   --rev REV       copy git revision REV instead of the work tree (git ls-files -co plus
#                   uncommitted changes, the default)
#   MUTANT          patch names (with or without .patch) or paths; default: every patch
# Mutants listed in tools/mutants/EQUIVALENT (one name per line, then `# why`) are skipped and
# listed as equivalent. Environment: MUTATION_MAX_STATES (default 2000000),
# MUTATION_RUN_TIMEOUT (seconds per protocheck run, default 900).
#
# Exit: 0 every mutant was killed (and every conformance run caught its mutant); 1 some
# survived or a conformance run missed one; 2 usage or script error (including a patch
# that does not apply or does not compile, or an unmutated tree that does not build).
set -euo pipefail

usage() {
    sed -n '/^# Usage:/,/^# Exit:/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}
die() {
    echo "mutation-test: $*" >&2
    exit 2
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mutants_dir=$repo/tools/mutants
subset=0
every_property=0
jobs=1
rev=""
requested=()
while (($# > 0)); do
    case "$1" in
        --subset) subset=1 ;;
        --every-property) every_property=1 ;;
        --jobs-build)
            (($# >= 2)) || { usage; die "--jobs-build needs a number"; }
            [[ $2 =~ ^[1-9][0-9]*$ ]] || { usage; die "--jobs-build: not a positive number: $2"; }
            jobs=$2
            shift
            ;;
        --jobs-build=*)
            jobs=${1#*=}
            [[ $jobs =~ ^[1-9][0-9]*$ ]] || { usage; die "--jobs-build: not a positive number: $jobs"; }
            ;;
        --rev)
            (($# >= 2)) || { usage; die "--rev needs a revision"; }
            rev=$2
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        --) shift; requested+=("$@"); break ;;
        -*) usage; die "unknown option: $1" ;;
        *) requested+=("$1") ;;
    esac
    shift
done
max_states=${MUTATION_MAX_STATES:-2000000}
run_timeout=${MUTATION_RUN_TIMEOUT:-900}
[[ $max_states =~ ^[1-9][0-9]*$ ]] || die "MUTATION_MAX_STATES: not a positive number"
[[ $run_timeout =~ ^[1-9][0-9]*$ ]] || die "MUTATION_RUN_TIMEOUT: not a positive number"
for tool in git cmake patch tar timeout; do
    command -v "$tool" > /dev/null || die "$tool is not installed"
done
[[ -d $mutants_dir ]] || die "no $mutants_dir"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# NAME from "NAME", "NAME.patch" or "path/NAME.patch".
base_name() {
    local name=${1##*/}
    echo "${name%.patch}"
}
# Names listed in a SUBSET/EQUIVALENT file (first word of each line; # starts a comment).
listed_in() {
    local file=$1
    [[ -f $file ]] || return 0
    sed -e 's/#.*//' "$file" | awk 'NF { print $1 }' | while read -r name; do base_name "$name"; done
}

# ---- which mutants ----
mapfile -t all_patches < <(find "$mutants_dir" -maxdepth 1 -name '*.patch' -printf '%f\n' | sort)
((${#all_patches[@]} > 0)) || die "no patches in $mutants_dir"
selected=()
if ((${#requested[@]} > 0)); then
    for want in "${requested[@]}"; do
        name=$(base_name "$want")
        [[ -f $mutants_dir/$name.patch ]] || die "no such mutant: $want ($mutants_dir/$name.patch)"
        selected+=("$name")
    done
else
    for patch_file in "${all_patches[@]}"; do selected+=("${patch_file%.patch}"); done
fi
if ((subset)); then
    [[ -f $mutants_dir/SUBSET ]] || die "--subset: no $mutants_dir/SUBSET"
    mapfile -t subset_names < <(listed_in "$mutants_dir/SUBSET")
    filtered=()
    for name in "${selected[@]}"; do
        for keep in "${subset_names[@]}"; do
            if [[ $name == "$keep" ]]; then filtered+=("$name"); break; fi
        done
    done
    for keep in "${subset_names[@]}"; do
        [[ -f $mutants_dir/$keep.patch ]] || die "SUBSET names a missing mutant: $keep"
    done
    selected=("${filtered[@]}")
fi
((${#selected[@]} > 0)) || die "no mutant selected"
mapfile -t equivalent_names < <(listed_in "$mutants_dir/EQUIVALENT")
is_equivalent() {
    local name
    for name in "${equivalent_names[@]}"; do [[ $name == "$1" ]] && return 0; done
    return 1
}

# ---- scratch copy, configure, baseline build ----
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutation-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
src=$scratch/src
mkdir -p "$src"
started=$(now)
if [[ -n $rev ]]; then
    git -C "$repo" rev-parse --verify --quiet "$rev^{commit}" > /dev/null || die "--rev: unknown revision $rev"
    echo "mutation-test: copying revision $rev of $repo" >&2
    git -C "$repo" archive "$rev" | tar -x -C "$src"
else
    echo "mutation-test: copying the work tree of $repo (tracked, untracked, uncommitted)" >&2
    # Tracked files deleted in the work tree are listed by ls-files -c but no longer exist.
    (cd "$repo" && git ls-files -co --exclude-standard -z |
        while IFS= read -r -d '' file; do
            if [[ -f $file ]]; then printf '%s\0' "$file"; fi
        done | tar --null -T - -cf -) | tar -x -C "$src"
fi
[[ -f $src/CMakeLists.txt ]] || die "the copy has no CMakeLists.txt"

build_dir=$src/build
echo "mutation-test: configuring in $build_dir" >&2
cmake -S "$src" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPROTOCHECK_BENCHMARKS=OFF \
    > "$scratch/configure.log" 2>&1 || {
    tail -n 30 "$scratch/configure.log" >&2
    die "cmake configure failed"
}
build() { cmake --build "$build_dir" --target protocheck -j "$jobs" > "$scratch/build.log" 2>&1; }
echo "mutation-test: building the unmutated protocheck (-j $jobs)" >&2
build || {
    grep -m 20 -E 'error|Error' "$scratch/build.log" >&2 || tail -n 30 "$scratch/build.log" >&2
    die "the unmutated tree does not build"
}
checker=$build_dir/protocheck
[[ -x $checker ]] || die "no $checker after the build"

# ---- scenario runs, smallest scenario first ----
mapfile -t scenarios < <(cd "$src/scenarios" && find . -maxdepth 1 -name '*.json' \
    ! -name 'ring-*' ! -name 'bench-*' -printf '%s %f\n' | sort -k1,1n -k2,2 | awk '{ print $2 }')
((${#scenarios[@]} > 0)) || die "no scenarios in $src/scenarios"
fault_modes=(none crash:1)

# run_check SCENARIO FAULTS: sets run_rc and run_property.
run_check() {
    local scenario=$1 faults=$2 out=$scratch/run.out
    local args=(check "$src/scenarios/$scenario" --threads 1 --max-states "$max_states"
        --trace-out "$scratch/counterexample.json")
    if [[ $faults != none ]]; then args+=(--faults "$faults"); fi
    run_rc=0
    (cd "$scratch" && timeout "$run_timeout" "$checker" "${args[@]}") > "$out" 2>&1 || run_rc=$?
    run_property=$(grep -m 1 -o 'VIOLATION of [A-Za-z0-9-]*' "$out" | awk '{ print $3 }' || true)
    # Every property the counterexample's last state breaks (check names the others after it).
    run_properties=$(grep -o -E '(VIOLATION of|also violated in the same state:) [A-Za-z0-9-]*' "$out" |
        awk '{ print $NF }' | tr '\n' ' ' || true)
}

echo "mutation-test: checking the unmutated build on ${#scenarios[@]} scenarios x ${#fault_modes[@]} fault modes" >&2
runs=()
for faults in "${fault_modes[@]}"; do
    for scenario in "${scenarios[@]}"; do
        run_check "$scenario" "$faults"
        case $run_rc in
            0 | 3) runs+=("$scenario|$faults") ;;
            1) echo "mutation-test: warning: unmutated $scenario (faults $faults) already violates ${run_property:-?}; left out" >&2 ;;
            *) echo "mutation-test: warning: unmutated $scenario (faults $faults) exits $run_rc; left out" >&2 ;;
        esac
    done
done
((${#runs[@]} > 0)) || die "no scenario run passes on the unmutated build"

# run_conformance "SCENARIO [FLAGS]": sets conformance_rc.
run_conformance() {
    local spec=() out=$scratch/conformance.out
    read -r -a spec <<< "$1"
    conformance_rc=0
    (cd "$scratch" && timeout "$run_timeout" "$checker" prove --conformance \
        "$src/scenarios/${spec[0]}" "${spec[@]:1}") > "$out" 2>&1 || conformance_rc=$?
}
for name in "${selected[@]}"; do
    spec=$(sed -n 's/^# conformance: *//p' "$mutants_dir/$name.patch" | head -n 1)
    [[ -n $spec ]] || continue
    run_conformance "$spec"
    # 3: a --max-states bound cut the search with no drift so far (a bug deep in a big space).
    ((conformance_rc == 0 || conformance_rc == 3)) || {
        tail -n 5 "$scratch/conformance.out" >&2
        die "the unmutated build fails conformance on $spec (exit $conformance_rc)"
    }
done
baseline_seconds=$(elapsed "$started" "$(now)")
echo "mutation-test: baseline ready in ${baseline_seconds} s (${#runs[@]} runs per surviving mutant)" >&2

# ---- mutants ----
cell() { printf '%s' "$1" | sed 's/|/\\|/g'; }  # a markdown table cell
header_field() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }
rows=()
declare -A broken_by  # property id -> the first mutant that broke it (--every-property)
killed=0
survived=0
conformance_missed=0
broken=0
equivalent=0
index=0
for name in "${selected[@]}"; do
    index=$((index + 1))
    patch_file=$mutants_dir/$name.patch
    rule=$(header_field "$patch_file" rule)
    expect=$(header_field "$patch_file" expect)
    verdict="" by="" property="" faults_used="" seconds="0.0"
    if is_equivalent "$name"; then
        equivalent=$((equivalent + 1))
        rows+=("| $(cell "$name") | $(cell "$rule") | $(cell "$expect") | equivalent | | | | |")
        echo "mutation-test: [$index/${#selected[@]}] $name: equivalent (skipped)" >&2
        continue
    fi
    t0=$(now)
    if ! patch -p1 --forward --silent --dry-run -d "$src" < "$patch_file" > "$scratch/patch.log" 2>&1 ||
        ! patch -p1 --forward --silent -d "$src" < "$patch_file" >> "$scratch/patch.log" 2>&1; then
        broken=$((broken + 1))
        rows+=("| $(cell "$name") | $(cell "$rule") | $(cell "$expect") | does not apply | | | | $(elapsed "$t0" "$(now)") |")
        echo "mutation-test: [$index/${#selected[@]}] $name: does not apply" >&2
        sed 's/^/    /' "$scratch/patch.log" >&2
        continue
    fi
    if ! build; then
        broken=$((broken + 1))
        verdict="does not compile"
        grep -m 5 -E 'error' "$scratch/build.log" | sed 's/^/    /' >&2 || true
    else
        notes=""
        all_properties=""
        for run in "${runs[@]}"; do
            scenario=${run%|*}
            faults=${run#*|}
            run_check "$scenario" "$faults"
            if ((run_rc == 1)); then
                if [[ $verdict != yes ]]; then
                    verdict="yes"
                    by=${scenario%.json}
                    property=${run_property:-?}
                    faults_used=$([[ $faults == none ]] && echo no || echo "$faults")
                fi
                ((every_property)) || break
                for one in $run_properties; do
                    if [[ " $all_properties " != *" $one "* ]]; then
                        all_properties+="${all_properties:+ }$one"
                    fi
                    [[ -n ${broken_by[$one]:-} ]] || broken_by[$one]=$name
                done
                continue
            fi
            if ((run_rc != 0 && run_rc != 3)); then
                # A crash or timeout of the mutated checker is noted, but only a reported
                # violation kills.
                if [[ -z $notes ]]; then
                    notes="${scenario%.json} exits $run_rc"
                    if [[ $faults != none ]]; then notes+=" with $faults"; fi
                fi
            fi
        done
        if [[ $verdict == yes ]]; then
            killed=$((killed + 1))
        else
            survived=$((survived + 1))
            verdict="no"
            if [[ -n $notes ]]; then verdict="no ($notes)"; fi
        fi
        conformance=$(header_field "$patch_file" conformance)
        if [[ -n $conformance ]]; then
            run_conformance "$conformance"
            if ((conformance_rc == 1)); then
                verdict+="; conformance caught it"
            else
                verdict+="; conformance MISSED it (exit $conformance_rc)"
                conformance_missed=$((conformance_missed + 1))
            fi
        fi
    fi
    patch -p1 -R --silent -d "$src" < "$patch_file" > "$scratch/patch.log" 2>&1 || {
        cat "$scratch/patch.log" >&2
        die "could not revert $name: the scratch tree is no longer clean"
    }
    seconds=$(elapsed "$t0" "$(now)")
    if ((every_property)); then property+=" (all: ${all_properties:-none})"; fi
    rows+=("| $(cell "$name") | $(cell "$rule") | $(cell "$expect") | $(cell "$verdict") | $(cell "$by") | $(cell "$property") | $(cell "$faults_used") | $seconds |")
    echo "mutation-test: [$index/${#selected[@]}] $name: killed? $verdict${by:+ by $by}${property:+ ($property}${property:+, faults ${faults_used})} in $seconds s" >&2
done

# ---- report ----
total=$((${#selected[@]} - equivalent))
echo "| mutant | rule | expected | killed? | by scenario | property | faults | seconds |"
echo "|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do echo "$row"; done
echo
echo "killed: $killed/$total (survived: $survived, does not apply or compile: $broken, equivalent: $equivalent)"
if ((conformance_missed > 0)); then
    echo "conformance missed $conformance_missed mutant(s) it names"
fi
echo "total time: $(elapsed "$started" "$(now)") s (copy, configure, build and baseline: $baseline_seconds s)"
if ((every_property)); then
    missing=""
    for id in DF-1 DF-2 DF-3 NM-1 NM-2 NM-3 NM-4 NM-5 SY-1 SY-2 SY-3 SY-4 SY-5 PT-1 PT-2 LC-1 LC-2 LC-3; do
        if [[ -n ${broken_by[$id]:-} ]]; then
            echo "property $id: broken by ${broken_by[$id]} (and maybe others)"
        else
            missing+=" $id"
        fi
    done
    echo "properties no mutant broke:${missing:- none}"
fi
if ((broken > 0)); then exit 2; fi
if ((survived > 0 || conformance_missed > 0)); then exit 1; fi
exit 0
