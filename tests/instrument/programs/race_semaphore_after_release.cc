// The twin of clean_semaphore_handoff: the worker writes the value after its release, so the
// acquire does not order main's read after it. ThreadSanitizer reports it too.
// CHECK: race value
#include <chrono>
#include <cstdio>
#include <semaphore>
#include <thread>

int value;
std::counting_semaphore<4> ready(0);

int main() {
  std::thread a([] {
    ready.release();
    value = 42;  // RACE
  });
  ready.acquire();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::printf("%d\n", value);  // RACE
  a.join();
}
