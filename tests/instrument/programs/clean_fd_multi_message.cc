// The twin of race_fd_multi_message: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

char outbox[2][8] = {"one", "two"};
char inbox[2][8];
mmsghdr sent[2], received[2];
iovec out_vec[2], in_vec[2];
char record[8] = "record", chunk[8];

int main() {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0) return 1;
  char name[] = "/tmp/threadlens-mmsgXXXXXX";
  int file = mkstemp(name);
  if (file < 0) return 1;
  unlink(name);
  for (int i = 0; i < 2; ++i) {
    out_vec[i] = {outbox[i], sizeof outbox[i]};
    in_vec[i] = {inbox[i], sizeof inbox[i]};
    sent[i].msg_hdr.msg_iov = &out_vec[i];
    sent[i].msg_hdr.msg_iovlen = 1;
    received[i].msg_hdr.msg_iov = &in_vec[i];
    received[i].msg_hdr.msg_iovlen = 1;
  }
  iovec record_vec{record, sizeof record}, chunk_vec{chunk, sizeof chunk};
  std::thread writer([] {
    outbox[0][0] = 'O';
    inbox[0][0] = 0;
    received[1].msg_len = 0;
    record[0] = 'R';
    chunk[0] = 0;
  });
  writer.join();
  long sum = sendmmsg(pair[0], sent, 2, 0);
  sum += recvmmsg(pair[1], received, 2, 0, nullptr);
  sum += pwritev2(file, &record_vec, 1, 0, 0);
  sum += preadv2(file, &chunk_vec, 1, 0, 0);
  std::printf("%ld\n", sum);
}
