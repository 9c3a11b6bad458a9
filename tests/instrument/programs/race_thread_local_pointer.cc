// A worker publishes the address of its thread_local to a helper, which writes through it
// while the worker reads its own copy. The report names the variable and whose it is.
// CHECK: race tally in T2's thread-local storage
#include <cstdio>
#include <thread>

thread_local long tally = 0;

void Worker() {
  long* mine = &tally;
  std::thread helper([mine] {
    *mine = 7;  // RACE
  });
  long seen = tally;  // RACE
  helper.join();
  std::printf("%ld %ld\n", seen, tally);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
