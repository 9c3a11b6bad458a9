// The twin of clean_lock_order_mutex_destroyed: the pool's mutex is not destroyed in
// between, so the second worker takes the same mutex after the log's: a lock-order cycle.
// CHECK: finding lock-order
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
  pthread_create(&t, NULL, LogThenPool, NULL);
  pthread_join(t, NULL);
  pthread_mutex_destroy(&pool);
  printf("%d\n", entries);
  return 0;
}
