#!/bin/sh
# Times cas_pingpong under TSan, traced alone (the runtime, THREADLENS_TRACE set directly) and
# under `threadlens run` (adds starting the runner and reading the trace for its summary
# line), median of RUNS, and prints the trace size.
# Usage: run_bench.sh THREADLENS_CLI BIN_DIR [ROUNDS] [RUNS]
set -eu
cli=$1 bin=$2 rounds=${3:-100000} runs=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/../timing.sh"

: >"$tmp/tsan" ; : >"$tmp/tl" ; : >"$tmp/rt"
i=0
while [ $i -lt "$runs" ]; do
  seconds "$bin/bench_spin_cas_pingpong_tsan" "$rounds" >>"$tmp/tsan"
  THREADLENS_TRACE="$tmp/rt.tltrace" seconds "$bin/bench_spin_cas_pingpong_threadlens" \
    "$rounds" >>"$tmp/rt"
  seconds "$cli" run --trace "$tmp/t.tltrace" -- "$bin/bench_spin_cas_pingpong_threadlens" \
    "$rounds" >>"$tmp/tl"
  i=$((i + 1))
done
tsan=$(median <"$tmp/tsan")
tl=$(median <"$tmp/tl")
rt=$(median <"$tmp/rt")
size=$(stat -c %s "$tmp/t.tltrace")
printf 'cas_pingpong, %s rounds, median of %s runs\n' "$rounds" "$runs"
printf '  tsan        %8.3f s\n' "$tsan"
printf '  runtime     %8.3f s  (%.2fx tsan)\n' "$rt" "$(echo "$rt / $tsan" | bc -l)"
printf '  run         %8.3f s  (%.2fx tsan), trace %.1f MB\n' "$tl" "$(echo "$tl / $tsan" | bc -l)" \
  "$(echo "$size / 1000000" | bc -l)"
