// After a barrier one worker writes a cell that the other reads in the same phase: the
// barrier orders what came before it, not two threads' accesses after it.
// CHECK: race *
#include <pthread.h>

#include <cstdio>
#include <thread>

pthread_barrier_t barrier;
int cell;
int seen;

int main() {
  pthread_barrier_init(&barrier, nullptr, 2);
  std::thread writer([] {
    pthread_barrier_wait(&barrier);
    cell = 42;  // RACE
    pthread_barrier_wait(&barrier);
  });
  std::thread reader([] {
    pthread_barrier_wait(&barrier);
    seen = cell;  // RACE
    pthread_barrier_wait(&barrier);
  });
  writer.join();
  reader.join();
  pthread_barrier_destroy(&barrier);
  std::printf("%d\n", seen);
}
