// A function-local static is first constructed in a worker; its destructor runs at exit in
// main and reads what the constructor wrote. The C++ runtime registers the destructor
// (__cxa_atexit) after the constructor returns, and registering happens before the
// destructor runs, so the reads are ordered. Its twin is race_static_destructor_after_worker_write.
// (ThreadSanitizer, clang 14, agrees; threadlens reported a race on the string here.)
// CHECK: exit 0
// CHECK: no-race
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

std::atomic<bool> built{false};

struct Log {
  std::string name = std::string("worker log, ") + std::to_string(getpid() > 0);
  long lines = 7;
  ~Log() { std::printf("%s %ld\n", name.c_str(), lines); }
};

void Worker() {
  static Log log;
  built.store(true, std::memory_order_relaxed);
  for (;;) pause();
}

int main() {
  std::thread(Worker).detach();
  while (!built.load(std::memory_order_relaxed)) usleep(1000);
  return 0;
}
