#!/usr/bin/env bash
# Trace volume and tracing time, plain vs `threadlens run --compress`, interleaved, median of
# RUNS each: the bench program of analysis_speed.sh, or any program given after --.
#   bench/trace_volume.sh [--runs N] BUILD_DIR [-- PROGRAM ARGS]
set -euo pipefail
source "$(dirname "$0")/timing.sh"

runs=5
if [[ "${1:-}" == "--runs" ]]; then runs="$2"; shift 2; fi
[[ $# -ge 1 ]] || { sed -n '2,4p' "$0" >&2; exit 2; }
build="$(cd "$1" && pwd)"
shift
if [[ "${1:-}" == "--" ]]; then
  shift
  prog=("$@")
else
  prog=("$build/bench/analysis/bench_analysis_block_cache" 6000)
fi
tl="$build/cli/threadlens"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for ((r = 0; r < runs; ++r)); do
  for mode in plain compress; do
    flags=(--no-compress)
    [[ $mode == compress ]] && flags=(--compress)
    start=$(date +%s%N)
    "$tl" run "${flags[@]}" -o "$tmp/t.tltrace" -- "${prog[@]}" >/dev/null 2>&1
    end=$(date +%s%N)
    echo "$(((end - start) / 1000000)) $(stat -c %s "$tmp/t.tltrace")" >>"$tmp/$mode"
  done
done
echo "program: ${prog[*]}; $runs runs each (median)"
printf '%-10s %10s %12s\n' mode wall_ms trace_MB
for mode in plain compress; do
  wall=$(cut -d' ' -f1 "$tmp/$mode" | median)
  size=$(cut -d' ' -f2 "$tmp/$mode" | median)
  printf '%-10s %10d %12.1f\n' "$mode" "$wall" "$(echo "$size" | awk '{print $1/1e6}')"
done
