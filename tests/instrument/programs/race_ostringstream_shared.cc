// The twin of clean_osyncstream_lines: both threads write to the std::ostringstream
// directly, one after the other in time. ThreadSanitizer (clang 14) agrees: races inside the
// stream's string (the second writer's growth copies the first one's bytes), all made in
// libstdc++. TSan's stacks stop there; threadlens adds the frame of the call into the
// library, so each side names the line below.
// CHECK: race *
#include <atomic>
#include <cstdio>
#include <sstream>
#include <thread>

std::ostringstream out;
std::atomic<bool> first_done{false};

void Write(int id) {
  for (int i = 0; i < 200; ++i) out << id << ':' << i << '\n';  // RACE
}

int main() {
  // The second writer starts once the first is done, in time only (a relaxed flag orders
  // nothing): the race is certain, and the stream is never really written by both at once.
  std::thread a([] {
    Write(1);
    first_done.store(true, std::memory_order_relaxed);
  });
  std::thread b([] {
    while (!first_done.load(std::memory_order_relaxed)) std::this_thread::yield();
    Write(2);
  });
  a.join();
  b.join();
  std::printf("%d\n", out.str().size() > 0);
}
