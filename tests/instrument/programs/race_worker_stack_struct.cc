// A worker lends a local struct to a helper thread and updates one of its fields from a
// function it calls before the join: the field lies in the worker's frame, one below the
// frame that writes it.
// CHECK: race local variable stats.misses of Worker() on T2's stack
#include <cstdio>
#include <thread>

struct Stats {
  long hits;
  long misses;
};

__attribute__((noinline)) void CountMiss(Stats* s) {
  s->misses += 1;  // RACE
}

void Worker() {
  Stats stats{};
  std::thread helper([&stats] {
    stats.misses = 7;  // RACE
  });
  CountMiss(&stats);
  helper.join();
  std::printf("%ld %ld\n", stats.hits, stats.misses);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
