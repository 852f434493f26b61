#!/usr/bin/env bash
# Benchmark: `handbook build` against Hugo on the same synthetic entries.
#
# For each corpus size it generates a handbook and an equivalent Hugo site with
# tools/gen-corpus, builds each several times (handbook, Hugo, handbook, Hugo,
# …, after one untimed warm-up build of each), and prints a Markdown table of
# the medians: wall time, CPU time (user+sys), peak memory (max RSS) and files
# written, with the ratio handbook/Hugo. Progress goes to stderr, the table to
# stdout, every measurement to $WORK/results.tsv.
#
# It installs nothing. It needs cargo, hugo (Debian: apt-get install hugo) and
# GNU time at /usr/bin/time (Debian: apt-get install time).
#
# Settings (environment variables):
#   SIZES="1000 10000"   corpus sizes (entries)
#   RUNS=5               timed builds of each tool per size
#   WARMUP=1             untimed builds of each tool per size, first
#   WORK=/tmp/handbook-bench   where corpora, outputs and results go
#   SEED=                gen-corpus seed (default: its own)
#   HUGO=hugo            the hugo binary
#   RELOAD=1             0 skips the save-to-reload measurement
#
# Example: SIZES="1000" RUNS=3 benches/run.sh > bench-results.md
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
RELOAD=${RELOAD:-1}
WORK=${WORK:-${TMPDIR:-/tmp}/handbook-bench}
SEED=${SEED:-}
HUGO=${HUGO:-hugo}

case "${1:-}" in
-h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
"") ;;
*)
    echo "usage: [SIZES=..] [RUNS=..] [WARMUP=..] [WORK=..] [SEED=..] [HUGO=..] $0" >&2
    exit 2
    ;;
esac

say() { printf '%s\n' "$*" >&2; }
die() {
    say "bench: $*"
    exit 1
}

# --- What is needed, installed by whoever runs this -----------------------
command -v cargo >/dev/null || die "cargo not found (install a Rust toolchain)"
command -v "$HUGO" >/dev/null || die "hugo not found (Debian: apt-get install hugo; or set HUGO=/path/to/hugo)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian: apt-get install time)"
/usr/bin/time -v true 2>&1 | grep -q "Maximum resident set size" || die "/usr/bin/time is not GNU time (needs -v)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a number"

mkdir -p "$WORK/bin"
WORK=$(cd "$WORK" && pwd)

# --- Build both tools (release), then copy them so a rebuild mid-run cannot change them.
# Which handbook is measured: the commit, and whether the code had uncommitted changes.
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git -C "$ROOT" status --porcelain -- src templates static Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
say "building handbook $commit (release)…"
(cd "$ROOT" && cargo build --release --quiet --bin handbook)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cp "$TARGET/release/handbook" "$WORK/bin/handbook"
say "building tools/gen-corpus (release)…"
(cd "$ROOT" && cargo build --release --quiet -p gen-corpus)
cp "$TARGET/release/gen-corpus" "$WORK/bin/gen-corpus"
HANDBOOK="$WORK/bin/handbook"

# --- Corpora --------------------------------------------------------------
seed_args=()
[[ -n "$SEED" ]] && seed_args=(--seed "$SEED")
for n in $SIZES; do
    [[ "$n" =~ ^[0-9]+$ ]] || die "SIZES must be numbers, got '$n'"
    say "generating $n entries…"
    "$WORK/bin/gen-corpus" --entries "$n" --out "$WORK/corpus" --force "${seed_args[@]}" 2>/dev/null
    # The corpus must be clean: no errors and no warnings (printing thousands of
    # warnings would be measured too).
    if ! "$HANDBOOK" check --root "$WORK/corpus/$n/handbook" --strict 2>"$WORK/check-$n.log"; then
        cat "$WORK/check-$n.log" >&2
        die "the generated $n-entry handbook does not pass handbook check --strict"
    fi
done

# --- Measuring ------------------------------------------------------------
RESULTS="$WORK/results.tsv"
printf 'size\ttool\trun\twall_s\tuser_s\tsys_s\tmax_rss_kib\tfiles\thtml_pages\n' >"$RESULTS"

# measure TOOL SIZE RUN OUT CMD...: one build with a fresh output folder.
measure() {
    local tool=$1 size=$2 run=$3 out=$4
    shift 4
    rm -rf "$out"
    local tf="$WORK/time.txt" log="$WORK/last-$tool.log"
    if ! /usr/bin/time -v -o "$tf" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        die "$tool failed on $size entries"
    fi
    local wall user sys rss files html
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tf")
    user=$(awk -F': ' '/User time/ {print $2}' "$tf")
    sys=$(awk -F': ' '/System time/ {print $2}' "$tf")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
    files=$(find "$out" -type f | wc -l)
    html=$(find "$out" -type f -name '*.html' | wc -l)
    if [[ "$run" != warmup ]]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "$run" "$wall" "$user" "$sys" "$rss" "$files" \
            "$html" >>"$RESULTS"
    fi
    say "  $tool n=$size run=$run: wall ${wall}s, user ${user}s, sys ${sys}s, max RSS $((rss / 1024)) MiB, $files files"
}

build_handbook() { # SIZE RUN
    measure handbook "$1" "$2" "$WORK/out/$1/handbook" \
        "$HANDBOOK" build --root "$WORK/corpus/$1/handbook" --out "$WORK/out/$1/handbook"
}
build_hugo() { # SIZE RUN
    measure hugo "$1" "$2" "$WORK/out/$1/hugo" \
        "$HUGO" --source "$WORK/corpus/$1/hugo" --destination "$WORK/out/$1/hugo" \
        --cacheDir "$WORK/hugo-cache" --quiet
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for n in $SIZES; do
    mkdir -p "$WORK/out/$n"
    for ((w = 1; w <= WARMUP; w++)); do
        build_handbook "$n" warmup
        build_hugo "$n" warmup
    done
    for ((r = 1; r <= RUNS; r++)); do
        build_handbook "$n" "$r"
        build_hugo "$n" "$r"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- The table --------------------------------------------------------------
# median SIZE TOOL COLUMN [EXPR]: the median over runs of a column (or of user+sys).
median() {
    awk -F'\t' -v size="$1" -v tool="$2" -v col="$3" 'NR > 1 && $1 == size && $2 == tool {
        v = (col == "cpu") ? $5 + $6 : $(col + 0); print v }' "$RESULTS" |
        sort -g | awk '{ a[NR] = $1 } END {
            if (NR == 0) { print "nan"; exit }
            if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo "## handbook vs Hugo"
echo
echo "- handbook $commit, $("$HUGO" version | awk '{print $1, $2}')"
echo "- $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory; load average before $load_before, after $load_after"
echo "- median of $RUNS runs each (after $WARMUP warm-up run(s)), alternating handbook and Hugo; output folder removed before each run"
echo
echo "| entries | measure | handbook | Hugo | handbook/Hugo |"
echo "|---:|---|---:|---:|---:|"
for n in $SIZES; do
    row() { # LABEL COLUMN SCALE FORMAT
        local a b
        a=$(median "$n" handbook "$2")
        b=$(median "$n" hugo "$2")
        awk -v n="$n" -v label="$1" -v a="$a" -v b="$b" -v scale="$3" -v fmt="$4" 'BEGIN {
            printf "| %s | %s | " fmt " | " fmt " | %s |\n", n, label, a / scale, b / scale,
                (b > 0 ? sprintf("%.2f", a / b) : "n/a") }'
    }
    row "wall time (s)" 4 1 "%.2f"
    row "CPU time, user+sys (s)" cpu 1 "%.2f"
    row "peak memory, max RSS (MiB)" 7 1024 "%.0f"
    row "files written" 8 1 "%d"
    row "HTML pages written" 9 1 "%d"
done
say "raw measurements: $RESULTS"

if [[ "$RELOAD" != 0 ]]; then
    say "timing save to reload in handbook serve…"
    roots=()
    for n in $SIZES; do roots+=("$WORK/corpus/$n/handbook"); done
    echo
    echo "## save to reload (handbook serve)"
    echo
    echo "- one entry's prose edited and saved, 9 times after pauses and 9 times one second apart; the time includes the watcher's wait for the write to finish"
    echo
    (cd "$ROOT" && cargo bench --quiet --bench reload -- "${roots[@]}")
fi
