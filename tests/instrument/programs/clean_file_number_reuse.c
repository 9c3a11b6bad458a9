// The twin of race_file_number_reuse: the reader waits on a semaphore the worker posts after
// setting the flag, so the read is ordered, whatever number each open gets.
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int flag;
static sem_t done;
static char path[] = "/tmp/threadlens-file-number-XXXXXX";

static void* Writer(void* arg) {
  flag = 1;
  int fd = open(path, O_RDONLY);
  close(fd);
  sem_post(&done);
  return arg;
}

static void* Reader(void* arg) {
  sem_wait(&done);
  int fd = open(path, O_RDONLY);
  int seen = flag;
  close(fd);
  printf("%d\n", seen);
  return arg;
}

int main(void) {
  int tmp = mkstemp(path);
  if (tmp < 0) return 1;
  close(tmp);
  sem_init(&done, 0, 0);
  pthread_t w, r;
  pthread_create(&r, NULL, Reader, NULL);
  pthread_create(&w, NULL, Writer, NULL);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  unlink(path);
  return 0;
}
