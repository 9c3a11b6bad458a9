// A worker shares a local array with a helper thread, built without optimization and with
// frame pointers; it writes the element only after the join, which orders the helper first.
// BUILD: -O0 -fno-omit-frame-pointer
// CHECK: no-race
#include <cstdio>
#include <thread>

void Fill(int* slots) { slots[2] = 5; }

void Worker() {
  int slots[4] = {};
  std::thread helper([&slots] { slots[2] = 9; });
  helper.join();
  Fill(slots);
  std::printf("%d\n", slots[2]);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
