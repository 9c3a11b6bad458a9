// POSIX asynchronous I/O: each buffer is used only once the program has seen its request
// done. main reads what aio_read filled after polling aio_error and calling aio_return;
// refills what aio_write sent after aio_suspend returned; reads two buffers a waiting
// lio_listio filled; and a worker reads a buffer after its own aio_suspend saw main's
// request done. Each transfer, made by the C library's helper threads out of sight, is a
// thread of the trace that ends when a call sees its request done, and that call acquires
// its end. (ThreadSanitizer, clang 14, sees none of the transfers.) Its twin is
// race_aio_buffer_before_completion.
// CHECK: no-race
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char in[512], out[512], first[64], second[64], shared[64];
struct aiocb shared_cb;

static void Wait(const struct aiocb* cb) {
  const struct aiocb* list[1] = {cb};
  while (aio_error(cb) == EINPROGRESS) aio_suspend(list, 1, NULL);
}

static void* Reader(void* arg) {
  (void)arg;
  const struct aiocb* list[1] = {&shared_cb};
  while (aio_suspend(list, 1, NULL) != 0) {
  }
  printf("worker %c\n", shared[3]);
  return NULL;
}

static void Request(struct aiocb* cb, int fd, void* buf, size_t n, off_t at) {
  memset(cb, 0, sizeof *cb);
  cb->aio_fildes = fd;
  cb->aio_buf = buf;
  cb->aio_nbytes = n;
  cb->aio_offset = at;
}

int main(void) {
  FILE* file = tmpfile();
  if (!file) return 1;
  int fd = fileno(file);
  memset(out, 'a', sizeof out);
  struct aiocb cb;
  Request(&cb, fd, out, sizeof out, 0);
  aio_write(&cb);
  Wait(&cb);
  aio_return(&cb);
  memset(out, 'b', sizeof out);  // the request is done with it

  Request(&cb, fd, in, sizeof in, 0);
  aio_read(&cb);
  while (aio_error(&cb) == EINPROGRESS) usleep(100);
  ssize_t got = aio_return(&cb);
  printf("%zd %c\n", got, in[10]);

  struct aiocb a, b;
  Request(&a, fd, first, sizeof first, 0);
  Request(&b, fd, second, sizeof second, 64);
  a.aio_lio_opcode = b.aio_lio_opcode = LIO_READ;
  struct aiocb* list[2] = {&a, &b};
  lio_listio(LIO_WAIT, list, 2, NULL);
  printf("%c %c\n", first[0], second[0]);

  Request(&shared_cb, fd, shared, sizeof shared, 128);
  aio_read(&shared_cb);
  pthread_t t;
  pthread_create(&t, NULL, Reader, NULL);
  pthread_join(t, NULL);
  fclose(file);
  return 0;
}
