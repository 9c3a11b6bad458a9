// A worker copies a message into a shared buffer with memcpy while main reads it.
// CHECK: race *
#include <cstdio>
#include <cstring>
#include <thread>

char buffer[256];
char message[256] = "hello from the worker";

int main(int argc, char**) {
  size_t n = sizeof buffer - static_cast<size_t>(argc - 1);  // not a constant: a real call
  std::thread worker([n] {
    std::memcpy(buffer, message, n);  // RACE
  });
  char first = buffer[0];  // RACE
  worker.join();
  std::printf("%d %s\n", first, buffer);
}
