// A thread captures main's local array and struct array by reference and writes an element
// and a field; main writes the same ones while the thread runs. clang 14's TSan pass leaves
// main's own accesses out (it asks whether the element's address escapes, not the array's),
// so ThreadSanitizer misses both races; threadlens's pass plugin shows them to it.
// CHECK: race local variable samples[5] of main() on T1's stack
// CHECK: race local variable points[3].y of main() on T1's stack
#include <cstdio>
#include <thread>

struct Point {
  int x, y;
};

int main() {
  char samples[64] = {};
  Point points[4] = {};
  std::thread worker([&] {
    samples[5] = 'w';  // RACE
    points[3].y = 5;  // RACE
  });
  samples[5] = 'm';  // RACE
  points[3].y = 6;  // RACE
  worker.join();
  std::printf("%c %d\n", samples[5], points[3].y);
}
