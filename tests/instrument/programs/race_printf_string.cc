// A status line printed while a worker rewrites it: printf reads the string its %s names,
// so the print races with the worker's write. The arguments before it (every width of
// integer, a long double, a starred width and precision, wide characters) are walked past.
// CHECK: race status[0]
#include <cstdio>
#include <cstring>
#include <thread>

char status[32] = "starting";

int main() {
  std::thread worker([] {
    std::strcpy(status, "running");  // RACE
  });
  const char* format = "%hhd %lld %Lf %*.*s %p %zu %lc %ls %c %-10s|%5.2f\n";
  std::printf(format, 'a', 1ll << 40, 2.5L, 6, 3, "padded", static_cast<const void*>("p"),  // RACE
              sizeof status, L'w', L"wide", 'x', status, 1.5);
  worker.join();
}
