/* A task that main's thread runs adds into main's local `total` while the team's other
 * thread adds into it too, unordered. The task runs inside libomp's task runner, a frame of
 * no known extent between the task and main: the race still names main's local. */
// LINK: -fopenmp
// CHECK: race local variable total of main() on T1's stack
#include <omp.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  long total = 0;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 1) {
      total += 1;  // RACE
      usleep(100000);  // no scheduling point: the task is main's thread's to run
    } else {
#pragma omp task shared(total)
      total += 2;  // RACE
#pragma omp taskwait
    }
  }
  printf("%ld\n", total);
  return 0;
}
