// A worker fills a value and releases a std::binary_semaphore; main acquires it and reads.
// (libstdc++: an atomic count and a futex.) ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
// CHECK: no-finding hang
#include <cstdio>
#include <semaphore>
#include <thread>

int value;
std::binary_semaphore ready(0);

int main() {
  std::thread a([] {
    value = 42;
    ready.release();
  });
  ready.acquire();
  std::printf("%d\n", value);
  a.join();
}
