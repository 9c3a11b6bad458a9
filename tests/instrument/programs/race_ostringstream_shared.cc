// The twin of clean_osyncstream_lines: both threads write to the std::ostringstream
// directly. ThreadSanitizer (clang 14) agrees: races inside the stream's string, all made in
// libstdc++. TSan's stacks stop there; threadlens adds the frame of the call into the
// library, so each side names the line below.
// CHECK: race *
#include <cstdio>
#include <sstream>
#include <thread>

std::ostringstream out;

void Write(int id) {
  for (int i = 0; i < 200; ++i) out << id << ':' << i << '\n';  // RACE
}

int main() {
  std::thread a(Write, 1), b(Write, 2);
  a.join();
  b.join();
  std::printf("%d\n", out.str().size() > 0);
}
