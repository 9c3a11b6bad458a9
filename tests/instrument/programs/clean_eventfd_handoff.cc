// A worker publishes a result and wakes the main thread through an eventfd.
// CHECK: no-race
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <thread>

long result;

int main() {
  int efd = eventfd(0, 0);
  if (efd < 0) return 1;
  std::thread worker([efd] {
    result = 6 * 7;
    uint64_t one = 1;
    if (write(efd, &one, sizeof one) != sizeof one) return;
  });
  uint64_t count = 0;
  if (read(efd, &count, sizeof count) != sizeof count) return 1;
  std::printf("%ld\n", result);
  worker.join();
  close(efd);
}
