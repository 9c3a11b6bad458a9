// The twin of race_once_routine_stack: the reader calls std::call_once too, which orders
// the routine before its read.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>

int config;
std::once_flag config_once;

void Init() { config = 42; }

void Setup() { std::call_once(config_once, Init); }

int main() {
  std::thread reader([] {
    Setup();
    std::printf("%d\n", config);
  });
  Setup();
  reader.join();
}
