// Thirty-two threads take one recursive mutex in a loop and write two globals under it; main
// returns while they run, so the process exits with threads mid-way through their critical
// sections. Every write is under the lock: no race. ThreadSanitizer (clang 14) agrees.
// (Recording: the threads still running record on while the trace is closed; the trace ends
// at one moment for all of them, so no thread's unlock is lost while a later lock of another
// is kept.)
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t mu;
static long counter, held_by;

static void* Spin(void* arg) {
  for (;;) {
    pthread_mutex_lock(&mu);
    ++counter;
    held_by = (long)arg;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&mu, &attr);
  pthread_t t[32];
  for (long i = 0; i < 32; ++i) pthread_create(&t[i], NULL, Spin, (void*)i);
  usleep(50000);
  printf("exiting with the threads running\n");
  return 0;
}
