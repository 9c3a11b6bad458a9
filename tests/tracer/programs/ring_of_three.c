// A lock-order cycle of three locks, a -> b -> c -> a: thread i takes lock i, then lock i+1.
// The threads start 50 ms apart, so a plain run never deadlocks; held at their second
// acquisitions, all three can. The argument picks what keeps the cycle from happening:
//   gated    both acquisitions of every thread inside one gate mutex
//   semgate  the same with a binary semaphore as the gate, which the lock-order graph ignores
//   joined   the first thread is joined before the other two start
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t locks[3] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                   PTHREAD_MUTEX_INITIALIZER};
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem_gate;
static enum { kFree, kGated, kSemGated, kJoined } mode;

static void* take_two(void* arg) {
  const long i = (long)arg;
  usleep((useconds_t)i * 50 * 1000);
  if (mode == kGated) pthread_mutex_lock(&gate);
  if (mode == kSemGated) sem_wait(&sem_gate);
  pthread_mutex_lock(&locks[i]);
  pthread_mutex_lock(&locks[(i + 1) % 3]);  // the cycle's acquisition
  pthread_mutex_unlock(&locks[(i + 1) % 3]);
  pthread_mutex_unlock(&locks[i]);
  if (mode == kSemGated) sem_post(&sem_gate);
  if (mode == kGated) pthread_mutex_unlock(&gate);
  return NULL;
}

int main(int argc, char** argv) {
  const char* arg = argc > 1 ? argv[1] : "";
  mode = strcmp(arg, "gated") == 0     ? kGated
         : strcmp(arg, "semgate") == 0 ? kSemGated
         : strcmp(arg, "joined") == 0  ? kJoined
                                       : kFree;
  sem_init(&sem_gate, 0, 1);
  pthread_t t[3];
  pthread_create(&t[0], NULL, take_two, (void*)0L);
  if (mode == kJoined) pthread_join(t[0], NULL);
  for (long i = 1; i < 3; ++i) pthread_create(&t[i], NULL, take_two, (void*)i);
  for (int i = mode == kJoined ? 1 : 0; i < 3; ++i) pthread_join(t[i], NULL);
  puts("done");
  return 0;
}
