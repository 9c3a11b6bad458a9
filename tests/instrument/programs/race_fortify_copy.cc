// Built with _FORTIFY_SOURCE, as distributions build: a copy whose length is known only at
// run time becomes a call to __memcpy_chk (and the fill to __memset_chk), which must be seen
// like memcpy and memset. The worker copies into the buffer main is clearing.
// BUILD: -O2 -D_FORTIFY_SOURCE=2
// CHECK: race *
#include <cstdio>
#include <cstring>
#include <thread>

char buffer[64];
char message[64] = "a message from the worker";

int main(int argc, char**) {
  const size_t n = 16 * static_cast<size_t>(argc);
  std::thread worker([n] {
    std::memcpy(buffer, message, n);  // RACE
  });
  std::memset(buffer, 0, n);  // RACE
  worker.join();
  std::printf("%.16s\n", buffer);
}
