/* The twin of race_openmp_task_local: both updates of main's `total` are critical
 * sections, which OpenMP orders. */
// LINK: -fopenmp
// CHECK: no-race
#include <omp.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  long total = 0;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 1) {
#pragma omp critical
      total += 1;
      usleep(100000);
    } else {
#pragma omp task shared(total)
      {
#pragma omp critical
        total += 2;
      }
#pragma omp taskwait
    }
  }
  printf("%ld\n", total);
  return 0;
}
