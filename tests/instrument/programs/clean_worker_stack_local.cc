// A worker lends a local variable to a helper thread it starts and reads it after the join.
// CHECK: no-race
#include <cstdio>
#include <thread>

void Worker() {
  long progress = 0;
  std::thread helper([&progress] { progress = 42; });
  helper.join();
  long seen = progress;
  std::printf("%ld\n", seen);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
