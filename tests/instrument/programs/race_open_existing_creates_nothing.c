// An open with O_CREAT of a file that already exists changes no name: it orders nothing
// before a later lookup of that name. The worker appends to an existing log after writing
// `hits`; main, later, finds the log with stat and reads `hits`: a race.
// CHECK: race hits
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static long hits;
static char log_path[] = "/tmp/threadlens-log-XXXXXX";

static void* Worker(void* arg) {
  usleep(10 * 1000);
  hits = 1;  // RACE
  FILE* f = fopen(log_path, "a");
  if (!f) exit(1);
  fputs("hit\n", f);
  fclose(f);
  return arg;
}

int main(void) {
  const int fd = mkstemp(log_path);
  if (fd < 0) return 1;
  close(fd);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  usleep(60 * 1000);
  struct stat st;
  if (stat(log_path, &st) != 0) return 1;
  printf("%ld\n", hits);  // RACE
  pthread_join(t, NULL);
  unlink(log_path);
  return 0;
}
