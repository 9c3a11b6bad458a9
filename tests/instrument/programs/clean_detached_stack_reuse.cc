// Detached threads started one after another: glibc gives each finished thread's stack to
// the next one, whose locals then lie where the old thread's were. That is no race.
// CHECK: no-race
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

std::atomic<int> finished{0};

void* Work(void*) {
  volatile long scratch[64];
  for (int i = 0; i < 64; ++i) scratch[i] = i;
  long sum = 0;
  for (int i = 0; i < 64; ++i) sum += scratch[i];
  finished.fetch_add(1, std::memory_order_relaxed);
  return reinterpret_cast<void*>(sum);
}

int main() {
  constexpr int kThreads = 12;
  for (int i = 0; i < kThreads; ++i) {
    pthread_t t;
    if (pthread_create(&t, nullptr, Work, nullptr) != 0) return 1;
    pthread_detach(t);
    usleep(2000);  // lets the thread end, so the next one is given its stack
  }
  while (finished.load(std::memory_order_relaxed) < kThreads) usleep(1000);
  std::printf("%d threads\n", finished.load());
}
