/* An OpenMP parallel loop fills an array and a reduction sums it; main reads both after the
 * parallel regions. libomp orders its threads with its own code (barriers, not pthread
 * calls); its Archer tool tells the runtime, which names it for libomp when the program runs
 * under threadlens. */
// LINK: -fopenmp
// CHECK: no-race
#include <stdio.h>

static int squares[1000];

int main(void) {
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 1000; ++i) squares[i] = i * i;
  long sum = 0;
#pragma omp parallel for num_threads(2) reduction(+ : sum)
  for (int i = 0; i < 1000; ++i) sum += squares[i];
  printf("%ld %d\n", sum, squares[999]);
  return 0;
}
