/* Memory a fork child shares with its parent, and process-shared mutexes in it, for the
 * process-tree test programs. */
#pragma once

#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>

/* `n` bytes of anonymous shared memory, or NULL. */
static inline void* map_shared(size_t n) {
  void* p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* A mutex every process that maps it can take. */
static inline void init_shared_mutex(pthread_mutex_t* m) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
}
