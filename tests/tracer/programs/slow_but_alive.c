/* Waits that end by themselves must not trip the watchdog: a timed wait of 800 ms, then an
 * untimed wait while another thread sleeps 800 ms (running, not blocked) before signalling. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;

static void* sleeper(void* arg) {
  (void)arg;
  usleep(800 * 1000);
  pthread_mutex_lock(&m);
  done = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  pthread_mutex_lock(&m);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 800 * 1000 * 1000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000;
  }
  if (pthread_cond_timedwait(&cv, &m, &ts) != ETIMEDOUT) return 10;
  pthread_t t;
  pthread_create(&t, NULL, sleeper, NULL);
  while (!done) pthread_cond_wait(&cv, &m);
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  return 0;
}
