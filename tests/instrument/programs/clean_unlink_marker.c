// main waits for a worker to remove a marker file (polling fopen until it fails), then reads
// what the worker wrote before the unlink: the removal orders the two. ThreadSanitizer
// (clang 14) agrees: its unlink releases what fopen acquires.
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long result;
static char marker[] = "/tmp/threadlens-marker-XXXXXX";

static void* Worker(void* arg) {
  usleep(20 * 1000);
  result = 42;
  unlink(marker);
  return arg;
}

int main(void) {
  const int fd = mkstemp(marker);
  if (fd < 0) return 1;
  close(fd);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  for (FILE* f; (f = fopen(marker, "r")) != NULL; usleep(1000)) fclose(f);
  printf("%ld\n", result);
  pthread_join(t, NULL);
  return 0;
}
