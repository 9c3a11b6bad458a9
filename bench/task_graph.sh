#!/usr/bin/env bash
# The shadow memory of many small objects (bench/analysis/task_graph.cc, a task graph built by
# one thread and run by two): records the program with TASKS tasks, then times, interleaved,
# median of RUNS each, `threadlens analyze --format json` with and without race detection;
# prints wall time, peak RSS, and the memory race detection adds per task (the shadow of its
# lines, all alive at the end). `--cli FILE` analyzes with another build's `threadlens` too,
# on the same recording, interleaved with this build's.
#   bench/task_graph.sh [--no-build] [--runs N] [--tasks N] [--cli FILE] BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/timing.sh"

build_it=1 runs=5 tasks=50000 cli=""
while [[ $# -gt 1 ]]; do
  case "$1" in
    --no-build) build_it=0; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
bench_setup "$1"
prog="$build/bench/analysis/bench_analysis_task_graph"

if [[ $build_it -eq 1 ]]; then
  cmake --build "$build" --target threadlens bench_analysis_task_graph bench_timed -j2 >&2
fi
"$tl" run -o "$tmp/t.tltrace" -- "$prog" "$tasks" >/dev/null 2>&1
events=$("$tl" analyze --format json --no-races "$tmp/t.tltrace" |
  sed -n 's/.*"events": *\([0-9]*\).*/\1/p' | head -1)

builds=(this)
[[ -n "$cli" ]] && builds+=(other)
cases=()
for b in "${builds[@]}"; do cases+=("full:$b" "no-races:$b"); done
run_case() {  # MODE:BUILD
  local mode="${1%%:*}" b="${1##*:}" bin="$tl" flags=(--format json)
  [[ $b == other ]] && bin="$cli"
  [[ $mode == no-races ]] && flags+=(--no-races)
  time_into "$tmp/$mode.$b" "$bin" analyze "${flags[@]}" "$tmp/t.tltrace"
}
interleave "$runs" run_case "${cases[@]}"

printf '%d tasks, %s events, %d runs each (median)\n' "$tasks" "$events" "$runs"
printf '%-6s %-9s %10s %10s %10s\n' build case wall_ms rss_MiB KiB/task
for b in "${builds[@]}"; do
  base=$(cut -d' ' -f2 "$tmp/no-races.$b" | median)
  for mode in full no-races; do
    read -r us kb < <(medians "$tmp/$mode.$b")
    awk -v b="$b" -v m="$mode" -v us="$us" -v kb="$kb" -v base="$base" -v n="$tasks" 'BEGIN {
      printf "%-6s %-9s %10.1f %10.1f %10.2f\n", b, m, us / 1000, kb / 1024, (kb - base) / n }'
  done
done
