#!/usr/bin/env bash
# threadlens against RAPID (github.com/umangm/rapid) on the same STD trace: RAPID's HB, WCP
# and SyncPreserving engines, and `threadlens analyze` with and without --predict. Prints, for
# each, wall and CPU seconds, peak RSS and what it found (RAPID: racy source lines; threadlens:
# races reported, and how many of them were predicted beyond happens-before).
#   bench/rapid_compare.sh [--events N] [--seed S] [--racy R] [--trace FILE] [--limit SECONDS]
#                          RAPID_DIR BUILD_DIR
# --limit: each RAPID engine is stopped after this long (600) and reported as unfinished.
# RAPID_DIR holds RAPID compiled by hand (not part of this repository), e.g.
#   javac -cp "lib/*:lib/jgrapht/*" -d bin $(find src -name '*.java')
# so that RAPID_DIR/bin has the classes and RAPID_DIR/lib the jars it ships.
# Without --trace, bench/trace_gen writes an execution (--exclusive 1) of N events.
set -euo pipefail
cd "$(dirname "$0")/.."

events=1000000 seed=1 racy=0.001 trace="" limit=600
while [[ $# -gt 2 ]]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --racy) racy="$2"; shift 2 ;;
    --trace) trace="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 2 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
rapid="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
tl="$build/cli/threadlens"
[[ -d "$rapid/bin" ]] || { echo "no compiled RAPID in $rapid/bin" >&2; exit 2; }
command -v java >/dev/null || { echo "java is not installed" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ -z "$trace" ]]; then
  trace="$tmp/trace.std"
  "$build/bench/trace_gen" --std "$trace" --events "$events" --seed "$seed" --racy "$racy" \
    --exclusive 1 >/dev/null 2>&1
fi
echo "trace: $trace ($(wc -l <"$trace") events)"
printf '%-22s %8s %8s %9s  %s\n' tool wall_s cpu_s peak_MiB found

run() {  # label, then the command
  local label="$1"
  shift
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || true
  end=$(date +%s%N)
  # The last line: a command ended by a signal gets a line about it first.
  read -r user sys rss < <(tail -n 1 "$tmp/time")
  printf '%-22s %8.2f %8.2f %9.0f  ' "$label" "$(echo "($end - $start) / 1000000000" | bc -l)" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

for engine in HB WCP SyncPreserving; do
  run "rapid $engine" timeout "$limit" java -Xmx16g -cp "$rapid/bin:$rapid/lib/*:$rapid/lib/jgrapht/*" "$engine" \
    -f std -p "$trace"
  lines=$(grep -o "racy' lines found = [0-9]*" "$tmp/out" | grep -o '[0-9]*$' || true)
  if [[ -n "$lines" ]]; then
    echo "$lines racy lines"
  else
    echo "no result: $(grep -m1 -E 'Exception|Error' "$tmp/out" || echo "stopped after $limit s")"
  fi
done

for c in plain predict; do
  flags=(analyze --format json --no-contention)
  [[ $c == predict ]] && flags+=(--predict)
  run "threadlens $c" "$tl" "${flags[@]}" "$trace"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
races = [f for f in d["findings"] if f["kind"] == "race"]
pred = sum(1 for f in races if f.get("predicted") is True)
sites = set()
for f in races:
    for a in f.get("accesses", []):
        for fr in a.get("stack", [])[:1]:
            sites.add((fr.get("file"), fr.get("line"), fr.get("pc")))
stopped = any("search stopped" in n for n in d.get("notes", []))
print(f"{len(races)} races ({pred} predicted), {len(sites)} racy sites"
      + (", prediction stopped by its budget" if stopped else ""))' "$tmp/out"
done
