#!/bin/sh
# Cost of native stack capture per lock pair: lock_pairs run under `threadlens run` with
# THREADLENS_NATIVE_STACKS=0 and =1 (default), interleaved, median of RUNS, and plain.
# Usage: run_bench.sh THREADLENS_CLI LOCK_PAIRS_BINARY [PAIRS] [RUNS]
set -eu
cli=$1 bin=$2 pairs=${3:-1000000} runs=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../timing.sh"
: >"$tmp/plain"; : >"$tmp/off"; : >"$tmp/on"
i=0
while [ $i -lt "$runs" ]; do
  seconds "$bin" "$pairs" >>"$tmp/plain"
  seconds env THREADLENS_NATIVE_STACKS=0 "$cli" run --trace "$tmp/off$i.tltrace" -- "$bin" "$pairs" >>"$tmp/off"
  seconds env THREADLENS_NATIVE_STACKS=1 "$cli" run --trace "$tmp/on$i.tltrace" -- "$bin" "$pairs" >>"$tmp/on"
  i=$((i + 1))
done
plain=$(median <"$tmp/plain"); off=$(median <"$tmp/off"); on=$(median <"$tmp/on")
echo "lock pairs: $pairs, median of $runs runs"
echo "plain:                 ${plain} s"
echo "traced, no stacks:     ${off} s"
echo "traced, native stacks: ${on} s"
echo "capture cost per lock pair: $(echo "($on - $off) * 1000000000 / $pairs" | bc) ns"
echo "trace size: $(stat -c %s "$tmp/off0.tltrace") bytes without, $(stat -c %s "$tmp/on0.tltrace") with"
