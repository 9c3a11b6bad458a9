#!/usr/bin/env bash
# Cost of prediction: `threadlens analyze` with and without --predict on synthetic traces of
# several lengths (bench/trace_gen: executions, with lock-order cycles), binary and STD text.
# Interleaved runs, median of RUNS each; prints wall time, events/s, peak RSS, the ratio, and
# what prediction found.
#   bench/predict_speed.sh [--runs N] [--events "1000000 4000000"] [--inverted R] BUILD_DIR
# --inverted: share of nests under lock 1 that take lock 0 (0.02; 0: no cycle to check).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/timing.sh

runs=3 sizes="1000000 4000000" inverted=0.02
while [[ $# -gt 1 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --events) sizes="$2"; shift 2 ;;
    --inverted) inverted="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
build="$(cd "$1" && pwd)"
tl="$build/cli/threadlens"
gen="$build/bench/trace_gen"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

printf '%-8s %-6s %-8s %9s %12s %10s %7s  %s\n' events format case seconds events/s peak_MiB ratio found
for n in $sizes; do
  for format in binary std; do
    trace="$tmp/t$n.$format"
    [[ $format == std ]] && out=(--std "$trace") || out=(--binary "$trace")
    "$gen" "${out[@]}" --events "$n" --threads 8 --locks 16 --exclusive 1 --inverted "$inverted" 2>/dev/null
    cat "$trace" >/dev/null
    for ((r = 0; r < runs; ++r)); do
      for c in plain predict; do
        flags=(analyze --format json --no-contention)
        [[ $c == predict ]] && flags+=(--predict)
        "$build/bench/timed" "$tmp/rss" -- "$tl" "${flags[@]}" "$trace" >"$tmp/$c.json"
        cut -d' ' -f1,2 "$tmp/rss" >>"$tmp/$n.$format.$c"
      done
    done
    plain_us=$(cut -d' ' -f1 "$tmp/$n.$format.plain" | median)
    for c in plain predict; do
      us=$(cut -d' ' -f1 "$tmp/$n.$format.$c" | median)
      rss=$(cut -d' ' -f2 "$tmp/$n.$format.$c" | median)
      found=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
cyc = [x for x in f if x["kind"] == "lock-order"]
pred = sum(1 for x in f if x.get("predicted") is True)
none = sum(1 for x in cyc if x.get("predicted") is False)
races = sum(1 for x in f if x["kind"] == "race")
print(f"{len(cyc)} cycles, {pred} predicted, {none} no schedule, {races} races")' "$tmp/$c.json")
      printf '%-8s %-6s %-8s %9.2f %12.0f %10.0f %7.2f  %s\n' "$n" "$format" "$c" \
        "$(echo "$us / 1000000" | bc -l)" "$(echo "$n * 1000000 / $us" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$us / $plain_us" | bc -l)" "$found"
    done
  done
done
