# Shell helpers of the bench scripts (sourced): the median of numbers on stdin, the wall
# seconds a command takes (its output discarded), and what the analysis benches share.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
seconds() {
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

# BUILD's paths ($build, $tl: its threadlens, $timer: bench/timed.cc) and a temporary folder
# ($tmp), removed at exit.
bench_setup() {
  build="$(cd "$1" && pwd)"
  tl="$build/cli/threadlens"
  timer="$build/bench/timed"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
}
# Runs a command under the timer and appends its wall microseconds and peak KiB to FILE.
#   time_into FILE CMD ARGS...
time_into() {
  local file="$1"
  shift
  "$timer" "$tmp/rss" -- "$@" >/dev/null
  cut -d' ' -f1,2 "$tmp/rss" >>"$file"
}
# The medians of what time_into wrote to FILE: "microseconds KiB".
medians() { echo "$(cut -d' ' -f1 "$1" | median) $(cut -d' ' -f2 "$1" | median)"; }
# Calls FN with each case, RUNS rounds, each round's order rotated by one, so that drift on a
# busy machine hits every case alike.
#   interleave RUNS FN CASE...
interleave() {
  local runs="$1" fn="$2" r k
  shift 2
  local cases=("$@")
  for ((r = 0; r < runs; ++r)); do
    for ((k = 0; k < ${#cases[@]}; ++k)); do "$fn" "${cases[$(((k + r) % ${#cases[@]}))]}"; done
  done
}
