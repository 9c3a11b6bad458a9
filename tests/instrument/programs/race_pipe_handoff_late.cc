// The producer writes the token before it finishes the record: the consumer's read of the
// record is not ordered with the late write.
// CHECK: race *
#include <unistd.h>

#include <cstdio>
#include <thread>

struct Record {
  int id;
  double value;
} record;

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::thread consumer([&fds] {
    char token;
    if (read(fds[0], &token, 1) != 1) return;
    std::printf("%.1f\n", record.value);  // RACE
  });
  record.id = 7;
  if (write(fds[1], "x", 1) != 1) return 1;
  record.value = 2.5;  // RACE
  consumer.join();
}
