// The twin of race_printf_string: the status line is printed once the worker is joined.
// CHECK: no-race
#include <cstdio>
#include <cstring>
#include <thread>

char status[32] = "starting";

int main() {
  std::thread worker([] { std::strcpy(status, "running"); });
  worker.join();
  const char* format = "%hhd %lld %Lf %*.*s %p %zu %lc %ls %c %-10s|%5.2f\n";
  std::printf(format, 'a', 1ll << 40, 2.5L, 6, 3, "padded", static_cast<const void*>("p"),
              sizeof status, L'w', L"wide", 'x', status, 1.5);
}
