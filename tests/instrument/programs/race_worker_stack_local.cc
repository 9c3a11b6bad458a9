// A worker lends a local variable to a helper thread it starts and reads it before joining.
// The local lives on the worker's stack, not main's.
// CHECK: race local variable progress of Worker() on T2's stack
#include <cstdio>
#include <thread>

void Worker() {
  long progress = 0;
  std::thread helper([&progress] {
    progress = 42;  // RACE
  });
  long seen = progress;  // RACE
  helper.join();
  std::printf("%ld %ld\n", seen, progress);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
