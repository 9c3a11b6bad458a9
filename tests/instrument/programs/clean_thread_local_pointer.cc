// A worker publishes the address of its thread_local to a helper, which writes through it;
// the worker reads its copy after the join.
// CHECK: no-race
#include <cstdio>
#include <thread>

thread_local long tally = 0;

void Worker() {
  long* mine = &tally;
  std::thread helper([mine] { *mine = 7; });
  helper.join();
  long seen = tally;
  std::printf("%ld\n", seen);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
