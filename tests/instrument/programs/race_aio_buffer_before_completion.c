// The twin of clean_aio_buffer_after_completion: main reads the buffer of its aio_read before
// it asked whether the request is done, refills the buffer of its aio_write while the
// request may still be sending it, and a worker reads a request's buffer without waiting for
// the request. Each races with the C library's transfer, whichever way the run went.
// CHECK: race in[10]
// CHECK: race out[0]
// CHECK: race shared[3]
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char in[512], out[512], shared[64];
struct aiocb shared_cb;

static void Wait(const struct aiocb* cb) {
  const struct aiocb* list[1] = {cb};
  while (aio_error(cb) == EINPROGRESS) aio_suspend(list, 1, NULL);
}

static void* Reader(void* arg) {
  (void)arg;
  printf("worker %c\n", shared[3]);  // RACE
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
  aio_write(&cb);  // RACE
  memset(out, 'b', sizeof out);  // RACE
  Wait(&cb);
  aio_return(&cb);

  Request(&cb, fd, in, sizeof in, 0);
  aio_read(&cb);  // RACE
  char early = in[10];  // RACE
  while (aio_error(&cb) == EINPROGRESS) usleep(100);
  ssize_t got = aio_return(&cb);
  printf("%zd %d\n", got, early);

  Request(&shared_cb, fd, shared, sizeof shared, 128);
  aio_read(&shared_cb);  // RACE
  pthread_t t;
  pthread_create(&t, NULL, Reader, NULL);
  pthread_join(t, NULL);
  Wait(&shared_cb);
  fclose(file);
  return 0;
}
