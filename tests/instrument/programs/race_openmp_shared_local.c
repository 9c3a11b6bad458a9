/* The classic OpenMP mistake on a local: the threads of the parallel region add into main's
 * `total` without a reduction. The race names the local, though the outlined loop body
 * reaches it through a pointer, from frames OpenMP's fork sits between. */
// LINK: -fopenmp
// CHECK: race local variable total of main() on T1's stack
#include <stdio.h>

int main(void) {
  long total = 0;
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 1000; ++i) total += i;  // RACE
  printf("%ld\n", total);
  return 0;
}
