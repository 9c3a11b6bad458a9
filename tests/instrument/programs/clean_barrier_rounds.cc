// Workers fill their own slot, meet at a barrier, read their neighbours' slots, meet again,
// round after round: each round's writes happen before the next phase's reads.
// CHECK: no-race
#include <pthread.h>

#include <cstdio>
#include <thread>
#include <vector>

constexpr int kWorkers = 4;
constexpr int kRounds = 20;
pthread_barrier_t barrier;
int slots[kWorkers];
long sums[kWorkers];

int main() {
  pthread_barrier_init(&barrier, nullptr, kWorkers);
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([i] {
      for (int round = 0; round < kRounds; ++round) {
        slots[i] = round * 10 + i;
        pthread_barrier_wait(&barrier);
        sums[i] += slots[(i + 1) % kWorkers];
        pthread_barrier_wait(&barrier);
      }
    });
  }
  for (auto& w : workers) w.join();
  pthread_barrier_destroy(&barrier);
  std::printf("%ld %ld\n", sums[0], sums[kWorkers - 1]);
}
