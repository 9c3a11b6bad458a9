// Two threads add to a counter in a file both see through one shared mapping (a database's
// lock file, as LMDB keeps its reader table), with nothing ordering them. The race is named
// by the file and where it was mapped, not as a heap block (race_reports_test checks the
// name); clean_file_mapping is the twin under a mutex.
// CHECK: race *
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct lock_table {
  unsigned magic;
  unsigned readers;
};

static struct lock_table* table;

static void* Reader(void* arg) {
  (void)arg;
  table->readers++;  // RACE
  return NULL;
}

int main(void) {
  char path[] = "/tmp/threadlens-map-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
  void* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return 1;
  table = m;
  table->magic = 0xbeef;
  pthread_t a, b;
  pthread_create(&a, NULL, Reader, NULL);
  pthread_create(&b, NULL, Reader, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%u\n", table->readers);
  munmap(m, 4096);
  close(fd);
  unlink(path);
  return 0;
}
