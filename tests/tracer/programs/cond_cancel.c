// A worker cancelled while it waits on a condition variable. The wait gives the mutex back
// before the worker's cleanup handler runs, and the handler unlocks it (correct); with
// "keep" the handler forgets to, and the worker ends holding the mutex.
// With "timed" the wait is a pthread_cond_timedwait (far deadline), the handler unlocks.
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiting;
static int go;
static int keep;
static int timed;

static void unlock_mutex(void* arg) { pthread_mutex_unlock(arg); }
static void forget_mutex(void* arg) { (void)arg; }

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  pthread_cleanup_push(keep ? forget_mutex : unlock_mutex, &m);
  waiting = 1;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  while (!go) {
    if (timed) {
      pthread_cond_timedwait(&cv, &m, &deadline);
    } else {
      pthread_cond_wait(&cv, &m);
    }
  }
  pthread_cleanup_pop(1);
  return NULL;
}

int main(int argc, char** argv) {
  keep = argc > 1 && strcmp(argv[1], "keep") == 0;
  timed = argc > 1 && strcmp(argv[1], "timed") == 0;
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  // The worker sets `waiting` holding the mutex and keeps it until its wait releases it:
  // once main sees the flag under the mutex, the worker is inside the wait.
  for (;;) {
    pthread_mutex_lock(&m);
    int w = waiting;
    pthread_mutex_unlock(&m);
    if (w) break;
    usleep(1000);
  }
  pthread_cancel(t);
  void* result = NULL;
  pthread_join(t, &result);
  return result == PTHREAD_CANCELED ? 0 : 1;
}
