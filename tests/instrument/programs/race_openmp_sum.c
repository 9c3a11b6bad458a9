/* The twin of clean_openmp_loop: the loop adds into a shared total without a reduction, so
 * the threads of the parallel region race on it. */
// LINK: -fopenmp
// CHECK: race total
#include <stdio.h>

static long total;

int main(void) {
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 1000; ++i) total += i;  // RACE
  printf("%ld\n", total);
  return 0;
}
