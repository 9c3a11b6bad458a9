#!/usr/bin/env bash
# Naming many locks (bench/analysis/many_locks.cc: LOCKS objects allocated at one site, a
# mutex each): records the program, then times, interleaved, median of RUNS each, `threadlens
# analyze --format json`; prints wall time and peak RSS. `--cli FILE` analyzes with another
# build's `threadlens` too, on the same recording, interleaved with this build's.
#   bench/many_locks.sh [--no-build] [--runs N] [--locks N] [--cli FILE] BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/timing.sh"

build_it=1 runs=5 locks=20000 cli=""
while [[ $# -gt 1 ]]; do
  case "$1" in
    --no-build) build_it=0; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --locks) locks="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,6p' "$0" >&2; exit 2; }
bench_setup "$1"
prog="$build/bench/analysis/bench_analysis_many_locks"

if [[ $build_it -eq 1 ]]; then
  cmake --build "$build" --target threadlens bench_analysis_many_locks bench_timed -j2 >&2
fi
"$tl" run -o "$tmp/t.tltrace" -- "$prog" "$locks" >/dev/null 2>&1

builds=(this)
[[ -n "$cli" ]] && builds+=(other)
run_case() {  # BUILD
  local bin="$tl"
  [[ $1 == other ]] && bin="$cli"
  time_into "$tmp/$1" "$bin" analyze --format json "$tmp/t.tltrace"
}
interleave "$runs" run_case "${builds[@]}"

printf '%d locks, %d runs each (median)\n' "$locks" "$runs"
printf '%-6s %10s %10s\n' build wall_ms rss_MiB
for b in "${builds[@]}"; do
  read -r us kb < <(medians "$tmp/$b")
  awk -v b="$b" -v us="$us" -v kb="$kb" 'BEGIN {
    printf "%-6s %10.1f %10.1f\n", b, us / 1000, kb / 1024 }'
done
