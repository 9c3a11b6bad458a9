// The twin of clean_unlink_marker: the worker removes the marker before it writes the
// result, so main's read after seeing the marker gone is not ordered after the write.
// CHECK: race result
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long result;
static char marker[] = "/tmp/threadlens-marker-XXXXXX";

static void* Worker(void* arg) {
  usleep(20 * 1000);
  unlink(marker);
  result = 42;  // RACE
  return arg;
}

int main(void) {
  const int fd = mkstemp(marker);
  if (fd < 0) return 1;
  close(fd);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  for (FILE* f; (f = fopen(marker, "r")) != NULL; usleep(1000)) fclose(f);
  printf("%ld\n", result);  // RACE
  pthread_join(t, NULL);
  return 0;
}
