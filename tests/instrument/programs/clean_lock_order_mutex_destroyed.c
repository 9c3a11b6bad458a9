// A worker takes a pool's mutex, then the log's; the pool's mutex is destroyed and a new
// one initialized in the same memory, which a second worker takes after the log's. Two
// mutexes, one after the other at one address: no lock-order cycle. The twin,
// lock_order_mutex_not_destroyed, takes the one mutex in both orders.
// CHECK: no-finding lock-order
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t pool, log_lock = PTHREAD_MUTEX_INITIALIZER;
static int entries;

static void* PoolThenLog(void* arg) {
  (void)arg;
  pthread_mutex_lock(&pool);
  pthread_mutex_lock(&log_lock);
  ++entries;
  pthread_mutex_unlock(&log_lock);
  pthread_mutex_unlock(&pool);
  return NULL;
}

static void* LogThenPool(void* arg) {
  (void)arg;
  pthread_mutex_lock(&log_lock);
  pthread_mutex_lock(&pool);
  ++entries;
  pthread_mutex_unlock(&pool);
  pthread_mutex_unlock(&log_lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_mutex_init(&pool, NULL);
  pthread_create(&t, NULL, PoolThenLog, NULL);
  pthread_join(t, NULL);
  pthread_mutex_destroy(&pool);
  pthread_mutex_init(&pool, NULL);
  pthread_create(&t, NULL, LogThenPool, NULL);
  pthread_join(t, NULL);
  pthread_mutex_destroy(&pool);
  printf("%d\n", entries);
  return 0;
}
