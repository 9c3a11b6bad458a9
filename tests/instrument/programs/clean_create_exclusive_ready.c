// A worker signals that its table is ready by creating a file with O_CREAT | O_EXCL; main
// polls access() until the file exists and then reads the table. The creation orders the
// two. ThreadSanitizer (clang 14) reports a race here: open and access order nothing in it.
// CHECK: no-race
// CHECK: exit 0
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int table[64];
static char dir[] = "/tmp/threadlens-ready-XXXXXX";
static char ready[64];

static void* Worker(void* arg) {
  usleep(20 * 1000);
  for (int i = 0; i < 64; ++i) table[i] = i * i;
  const int fd = open(ready, O_CREAT | O_EXCL | O_WRONLY, 0600);
  if (fd < 0) exit(1);
  close(fd);
  return arg;
}

int main(void) {
  if (!mkdtemp(dir)) return 1;
  snprintf(ready, sizeof ready, "%s/ready", dir);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  while (access(ready, F_OK) != 0) usleep(1000);
  long sum = 0;
  for (int i = 0; i < 64; ++i) sum += table[i];
  printf("%ld\n", sum);
  pthread_join(t, NULL);
  unlink(ready);
  rmdir(dir);
  return 0;
}
