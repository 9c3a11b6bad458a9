// A worker shares a local array with a helper thread, built without optimization and with
// frame pointers, as for a debugging session: the debug info places locals from the frame
// pointer, not the stack pointer. The race is on one element, written from a function the
// worker calls.
// BUILD: -O0 -fno-omit-frame-pointer
// CHECK: race local variable slots[2] of Worker() on T2's stack
#include <cstdio>
#include <thread>

void Fill(int* slots) {
  slots[2] = 5;  // RACE
}

void Worker() {
  int slots[4] = {};
  std::thread helper([&slots] {
    slots[2] = 9;  // RACE
  });
  Fill(slots);
  helper.join();
  std::printf("%d\n", slots[2]);
}

int main() {
  std::thread worker(Worker);
  worker.join();
}
