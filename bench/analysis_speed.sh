#!/usr/bin/env bash
# Analysis speed on a real program's trace (bench/analysis/block_cache.cc): builds it, records
# a trace with `threadlens run`, then times, interleaved, median of RUNS each: `cat TRACE`,
# the reader alone (read_trace; also timed in-process), `threadlens analyze --format json
# --no-races` and `threadlens analyze --format json`; prints wall time, events/s, peak RSS.
#   bench/analysis_speed.sh [--no-build] [--trace FILE] [--runs N] [--rounds R] BUILD_DIR
# An existing --trace FILE is reused (compare two builds on the same trace); else recorded.
set -euo pipefail
source "$(dirname "$0")/timing.sh"

build_it=1 trace="" runs=5 rounds=6000
while [[ $# -gt 1 ]]; do
  case "$1" in
    --no-build) build_it=0; shift ;;
    --trace) trace="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
bench_setup "$1"
prog="$build/bench/analysis/bench_analysis_block_cache"
reader="$build/bench/analysis/read_trace"
[[ -n "$trace" ]] || trace="$tmp/block_cache.tltrace"

if [[ $build_it -eq 1 ]]; then
  cmake --build "$build" -j2 \
    --target threadlens bench_analysis_block_cache read_trace bench_timed >&2
fi
if [[ ! -s "$trace" ]]; then
  "$tl" run -o "$trace" -- "$prog" "$rounds" >/dev/null
fi

shown=""
# The runs read a copy in memory (tmpfs) where there is room for one: this machine's page
# cache gives a file's pages back within seconds, and the runs would time the disk.
if [[ -d /dev/shm && -w /dev/shm ]] &&
   (( $(df --output=avail -k /dev/shm | tail -1) > 2 * $(stat -c %s "$trace") / 1024 )); then
  shm="$(mktemp /dev/shm/threadlens-bench-XXXXXX)"
  trap 'rm -rf "$tmp" "$shm"' EXIT
  cp "$trace" "$shm"
  shown="$trace (a copy in /dev/shm)"
  trace="$shm"
fi

events="$("$tl" analyze --format json --no-races "$trace" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events"])')"
bytes="$(stat -c %s "$trace")"

cases=(cat reader no-races full full-inline full-1t)
cmd_of() {
  case "$1" in
    cat) cmd=(cat "$trace") ;;
    reader) cmd=("$reader" --no-hash "$trace" 1) ;;
    no-races) cmd=("$tl" analyze --format json --no-races "$trace") ;;
    full) cmd=("$tl" analyze --format json "$trace") ;;
    full-inline) cmd=(env THREADLENS_READ_AHEAD=0 "$tl" analyze --format json "$trace") ;;
    full-1t) cmd=(env THREADLENS_RACE_WORKERS=0 "$tl" analyze --format json "$trace") ;;
  esac
}
cat "$trace" >/dev/null  # page-cache it
run_case() {
  cmd_of "$1"
  time_into "$tmp/$1" "${cmd[@]}"
}
interleave "$runs" run_case "${cases[@]}"

printf 'trace %s: %d bytes, %d events, %d runs each (median)\n' "${shown:-$trace}" "$bytes" \
  "$events" "$runs"
printf '%-11s %10s %12s %10s %8s\n' case wall_ms Mevents/s rss_MiB x_cat
cat_us=$(cut -d' ' -f1 "$tmp/cat" | median)
for c in "${cases[@]}"; do
  read -r us kb < <(medians "$tmp/$c")
  awk -v c="$c" -v us="$us" -v kb="$kb" -v ev="$events" -v cat="$cat_us" 'BEGIN {
    printf "%-11s %10.1f %12.2f %10.1f %8.1f\n", c, us / 1000, ev / us, kb / 1024, us / cat }'
done
# The reader timed inside its process (no exec, no dynamic loading), median of RUNS.
"$reader" "$trace" "$runs" | awk -v cat="$cat_us" '{
  printf "%-11s %10.1f %12.2f %10s %8.1f   (in-process; stream hash %s)\n", "reader-in", $4 * 1000,
         $6 / 1e6, "-", $4 * 1e6 / cat, $8 }'
full=$(cut -d' ' -f1 "$tmp/full" | median)
nor=$(cut -d' ' -f1 "$tmp/no-races" | median)
awk -v f="$full" -v n="$nor" 'BEGIN { printf "race detection: full / no-races = %.2fx\n", f / n }'
