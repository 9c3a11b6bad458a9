// The twin of clean_static_destructor_after_worker_init: the worker changes the static after
// its construction (and so after its destructor was registered), and nothing orders that
// write before the destructor's read at exit.
// CHECK: exit 0
// CHECK: race Worker()::log.lines
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

std::atomic<bool> built{false};

struct Log {
  std::string name = std::string("worker log, ") + std::to_string(getpid() > 0);
  long lines = 7;
  ~Log() { std::printf("%s %ld\n", name.c_str(), lines); }  // RACE
};

void Worker() {
  static Log log;
  log.lines = 8;  // RACE
  built.store(true, std::memory_order_relaxed);
  for (;;) pause();
}

int main() {
  std::thread(Worker).detach();
  while (!built.load(std::memory_order_relaxed)) usleep(1000);
  return 0;
}
