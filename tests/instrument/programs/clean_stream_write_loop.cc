// Two threads each write to a std::ostringstream of their own in a loop: the copies into the
// stream's buffer happen inside libstdc++ (operator<< is not inline), and each thread's
// memory is its own. No race. (Recording: every copy gets the frame of the loop's call into
// the library, written once for the whole loop; instrument_test counts the records.)
// CHECK: no-race
#include <cstdio>
#include <sstream>
#include <thread>

size_t Fill(int rounds) {
  std::ostringstream os;
  for (int i = 0; i < rounds; ++i) os << "0123456789abcdefghijklmnopqrstuvwxyz";
  return os.str().size();
}

int main() {
  size_t a = 0, b = 0;
  std::thread t([&] { a = Fill(2000); });
  b = Fill(2000);
  t.join();
  std::printf("%zu\n", a + b);
}
