// A thread pool's count of busy workers, read under the lock the workers change it under,
// in the 8-byte word it shares with the count of live workers that every worker updates
// many times: no race, however busy the word.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

struct Pool {
  volatile int alive;
  volatile int working;
  pthread_mutex_t mu;
};
static struct Pool pool = {0, 0, PTHREAD_MUTEX_INITIALIZER};

static void* Worker(void* arg) {
  pthread_mutex_lock(&pool.mu);
  pool.working++;
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < 200; ++i) {
    pthread_mutex_lock(&pool.mu);
    pool.alive++;
    pthread_mutex_unlock(&pool.mu);
  }
  return arg;
}

int main(void) {
  pthread_t t[8];
  for (int i = 0; i < 8; ++i) pthread_create(&t[i], NULL, Worker, NULL);
  usleep(200 * 1000);
  pthread_mutex_lock(&pool.mu);
  const int busy = pool.working;
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < 8; ++i) pthread_join(t[i], NULL);
  printf("%d %d\n", busy, pool.alive);
  return 0;
}
