// A producer fills a record, then writes one byte into a pipe; the consumer reads the byte,
// then the record: the pipe orders them.
// CHECK: no-race
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
    std::printf("%d %.1f\n", record.id, record.value);
  });
  record.id = 7;
  record.value = 2.5;
  if (write(fds[1], "x", 1) != 1) return 1;
  consumer.join();
  close(fds[0]);
  close(fds[1]);
}
