#!/bin/sh
# Cost of the PCT schedule controller: handoff run plain, under `threadlens run` (controller
# off) and under `threadlens run --schedule pct` (on, depth 3), interleaved, median of RUNS.
# Usage: run_bench.sh THREADLENS_CLI HANDOFF_BINARY [PAIRS] [THREADS] [RUNS]
set -eu
cli=$1 bin=$2 pairs=${3:-100000} threads=${4:-4} runs=${5:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../timing.sh"
: >"$tmp/plain"; : >"$tmp/off"; : >"$tmp/on"
i=0
while [ $i -lt "$runs" ]; do
  seconds "$bin" "$pairs" "$threads" >>"$tmp/plain"
  seconds "$cli" run --trace "$tmp/off.tltrace" -- "$bin" "$pairs" "$threads" >>"$tmp/off"
  seconds "$cli" run --trace "$tmp/on.tltrace" --schedule pct --seed $((i + 1)) --depth 3 \
    -- "$bin" "$pairs" "$threads" >>"$tmp/on"
  i=$((i + 1))
done
plain=$(median <"$tmp/plain"); off=$(median <"$tmp/off"); on=$(median <"$tmp/on")
total=$((pairs * threads))
echo "lock pairs: $threads threads x $pairs, median of $runs runs"
echo "plain:                   ${plain} s"
echo "traced, controller off:  ${off} s"
echo "traced, PCT schedule on: ${on} s"
echo "controller cost per lock pair: $(echo "($on - $off) * 1000000000 / $total" | bc) ns"
echo "slowdown with it on: $(echo "scale=1; $on / $off" | bc)x the traced run"
