// Two threads write lines to one std::ostringstream, each line through a C++20
// std::osyncstream, which hands its buffer over under a lock of libstdc++'s when it is
// destroyed. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <cstdio>
#include <sstream>
#include <syncstream>
#include <thread>

std::ostringstream out;

void Write(int id) {
  for (int i = 0; i < 200; ++i) std::osyncstream(out) << id << ':' << i << '\n';
}

int main() {
  std::thread a(Write, 1), b(Write, 2);
  a.join();
  b.join();
  std::printf("%zu\n", out.str().size());
}
