// A worker copies a message into a shared buffer with memcpy; main reads it after the join.
// CHECK: no-race
#include <cstdio>
#include <cstring>
#include <thread>

char buffer[256];
char message[256] = "hello from the worker";

int main(int argc, char**) {
  size_t n = sizeof buffer - static_cast<size_t>(argc - 1);
  std::thread worker([n] { std::memcpy(buffer, message, n); });
  worker.join();
  char first = buffer[0];
  std::printf("%d %s\n", first, buffer);
}
