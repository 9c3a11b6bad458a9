#!/usr/bin/env bash
# Analysis of many short threads (bench/analysis/thread_churn.cc, a thread per request):
# records the program with FEW and with MANY threads, then times, interleaved, median of
# RUNS each, `threadlens analyze --format json` with and without race detection; prints wall
# time and peak RSS of each, and what each thread more costs (RSS difference over thread
# difference): the memory an ended thread keeps. `--cli FILE` analyzes with another build's
# `threadlens` (the recording is still made with BUILD_DIR's).
#   bench/thread_churn.sh [--no-build] [--runs N] [--few N] [--many N] [--cli FILE] BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/timing.sh"

build_it=1 runs=5 few=10000 many=40000 cli=""
while [[ $# -gt 1 ]]; do
  case "$1" in
    --no-build) build_it=0; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --few) few="$2"; shift 2 ;;
    --many) many="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
bench_setup "$1"
analyzer="${cli:-$tl}"
prog="$build/bench/analysis/bench_analysis_thread_churn"

if [[ $build_it -eq 1 ]]; then
  cmake --build "$build" --target threadlens bench_analysis_thread_churn bench_timed -j2 >&2
fi
for n in "$few" "$many"; do
  "$tl" run -o "$tmp/t$n.tltrace" -- "$prog" "$n" >/dev/null 2>&1
done

cases=()
for n in "$few" "$many"; do cases+=("full:$n" "no-races:$n"); done
run_case() {  # MODE:THREADS
  local mode="${1%%:*}" n="${1##*:}" flags=(--format json)
  [[ $mode == no-races ]] && flags+=(--no-races)
  time_into "$tmp/$mode.$n" "$analyzer" analyze "${flags[@]}" "$tmp/t$n.tltrace"
}
interleave "$runs" run_case "${cases[@]}"

printf '%d runs each (median)\n' "$runs"
printf '%-9s %8s %10s %10s %9s\n' case threads wall_ms rss_MiB us/thread
for mode in full no-races; do
  for n in "$few" "$many"; do
    read -r us kb < <(medians "$tmp/$mode.$n")
    awk -v m="$mode" -v n="$n" -v us="$us" -v kb="$kb" 'BEGIN {
      printf "%-9s %8d %10.1f %10.1f %9.1f\n", m, n, us / 1000, kb / 1024, us / n }'
  done
  a=$(cut -d' ' -f2 "$tmp/$mode.$few" | median)
  b=$(cut -d' ' -f2 "$tmp/$mode.$many" | median)
  awk -v m="$mode" -v a="$a" -v b="$b" -v f="$few" -v g="$many" 'BEGIN {
    printf "%s: each thread more keeps %.2f KiB\n", m, (b - a) / (g - f) }'
done
