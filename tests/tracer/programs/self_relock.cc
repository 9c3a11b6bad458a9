// Self-deadlock: a thread locks a std::mutex it already holds.
#include <cstdio>
#include <mutex>

std::mutex m;

int main() {
  std::printf("M %p\n", static_cast<void*>(&m));
  std::fflush(stdout);
  m.lock();
  m.lock();  // never returns
  return 0;
}
