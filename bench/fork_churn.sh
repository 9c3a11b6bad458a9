#!/usr/bin/env bash
# Analysis of a server forking a child per request (bench/analysis/fork_churn.c: BLOCKS live
# heap blocks, a child forked and waited for per request): records the program with FEW and
# with MANY forks, then times, interleaved, median of RUNS each, `threadlens analyze --format
# json`; prints wall time and peak RSS of each, and what each more fork costs (time and RSS
# differences over the forks' difference). `--cli FILE` analyzes with another build's
# `threadlens` (the recordings are still made with BUILD_DIR's).
#   bench/fork_churn.sh [--no-build] [--runs N] [--few N] [--many N] [--blocks N] [--cli FILE] BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/timing.sh"

build_it=1 runs=5 few=50 many=200 blocks=10000 cli=""
while [[ $# -gt 1 ]]; do
  case "$1" in
    --no-build) build_it=0; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --few) few="$2"; shift 2 ;;
    --many) many="$2"; shift 2 ;;
    --blocks) blocks="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
bench_setup "$1"
analyzer="${cli:-$tl}"
prog="$build/bench/analysis/bench_analysis_fork_churn"

if [[ $build_it -eq 1 ]]; then
  cmake --build "$build" --target threadlens bench_analysis_fork_churn bench_timed -j2 >&2
fi
for n in "$few" "$many"; do
  "$tl" run -o "$tmp/t$n.tltrace" -- "$prog" "$n" "$blocks" >/dev/null 2>&1
done

run_case() { time_into "$tmp/full.$1" "$analyzer" analyze --format json "$tmp/t$1.tltrace"; }
interleave "$runs" run_case "$few" "$many"

printf '%d runs each (median), %d live blocks\n' "$runs" "$blocks"
printf '%8s %10s %10s\n' forks wall_ms rss_MiB
for n in "$few" "$many"; do
  read -r us kb < <(medians "$tmp/full.$n")
  awk -v n="$n" -v us="$us" -v kb="$kb" 'BEGIN { printf "%8d %10.1f %10.1f\n", n, us / 1000, kb / 1024 }'
  echo "$n $us $kb" >>"$tmp/medians"
done
awk 'NR == 1 {n = $1; us = $2; kb = $3} NR == 2 {
  printf "each more fork: %.2f ms, %.1f KiB\n", ($2 - us) / ($1 - n) / 1000, ($3 - kb) / ($1 - n) }' \
  "$tmp/medians"
