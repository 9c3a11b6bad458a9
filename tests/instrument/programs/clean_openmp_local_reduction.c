/* The twin of race_openmp_shared_local: the same loop with a reduction, whose partial sums
 * OpenMP combines into main's `total` under its own ordering. */
// LINK: -fopenmp
// CHECK: no-race
#include <stdio.h>

int main(void) {
  long total = 0;
#pragma omp parallel for num_threads(2) reduction(+ : total)
  for (int i = 0; i < 1000; ++i) total += i;
  printf("%ld\n", total);
  return 0;
}
