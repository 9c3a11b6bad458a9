// A std::call_once routine writes what another thread reads without calling it. The
// routine runs inside the C library's pthread_once: its stack goes on through Setup() to
// main, as the call made it (race_reports_test checks the frames).
// CHECK: race config
#include <cstdio>
#include <mutex>
#include <thread>

int config;
std::once_flag config_once;

void Init() { config = 42; }  // RACE

void Setup() { std::call_once(config_once, Init); }

int main() {
  std::thread reader([] { std::printf("%d\n", config); });  // RACE
  Setup();
  reader.join();
}
