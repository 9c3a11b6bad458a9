// The twin of race_fortify_copy: main clears the buffer before the worker starts.
// BUILD: -O2 -D_FORTIFY_SOURCE=2
// CHECK: no-race
#include <cstdio>
#include <cstring>
#include <thread>

char buffer[64];
char message[64] = "a message from the worker";

int main(int argc, char**) {
  const size_t n = 16 * static_cast<size_t>(argc);
  std::memset(buffer, 0, n);
  std::thread worker([n] { std::memcpy(buffer, message, n); });
  worker.join();
  std::printf("%.16s\n", buffer);
}
