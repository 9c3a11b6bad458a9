# Shell helpers of the bench scripts (sourced): the median of numbers on stdin, and the wall
# seconds a command takes (its output discarded).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
seconds() {
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
