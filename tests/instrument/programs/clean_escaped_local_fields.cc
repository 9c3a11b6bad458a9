// The twin of race_escaped_local_fields: main writes the element and the field before it
// starts the thread and reads them after the join, which order them with the thread's
// writes.
// CHECK: no-race
#include <cstdio>
#include <thread>

struct Point {
  int x, y;
};

int main() {
  char samples[64] = {};
  Point points[4] = {};
  samples[5] = 'm';
  points[3].y = 6;
  std::thread worker([&] {
    samples[5] = 'w';
    points[3].y = 5;
  });
  worker.join();
  std::printf("%c %d\n", samples[5], points[3].y);
}
