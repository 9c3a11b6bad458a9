// A worker lends a local struct to a helper thread and updates one of its fields from a
// function it calls after the join: the join orders the helper's write first.
// CHECK: no-race
#include <cstdio>
#include <thread>

struct Stats {
  long hits;
  long misses;
};

__attribute__((noinline)) void CountMiss(Stats* s) { s->misses += 1; }

void Worker() {
  Stats stats{};
  std::thread helper([&stats] { stats.misses = 7; });
  helper.join();
  CountMiss(&stats);
  std::printf("%ld %ld\n", stats.hits, stats.misses);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
