// The twin of race_file_mapping: the two threads add to the counter in the shared file
// mapping under a mutex.
// CHECK: no-race
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
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void* Reader(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  table->readers++;
  pthread_mutex_unlock(&mu);
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
