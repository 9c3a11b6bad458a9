// A lock-order cycle that a plain run never turns into a deadlock: the first thread takes
// A then B and is done long before the second takes B then A. `joined`: the second thread
// starts only after the first was joined, so the cycle can never deadlock at all.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

static void* forward(void* arg) {
  (void)arg;
  pthread_mutex_lock(&a);
  pthread_mutex_lock(&b);  // FORWARD SECOND
  pthread_mutex_unlock(&b);
  pthread_mutex_unlock(&a);
  return NULL;
}

static void* backward(void* arg) {
  (void)arg;
  usleep(100 * 1000);  // the other thread is long done, in a plain run
  pthread_mutex_lock(&b);
  pthread_mutex_lock(&a);  // BACKWARD SECOND
  pthread_mutex_unlock(&a);
  pthread_mutex_unlock(&b);
  return NULL;
}

int main(int argc, char** argv) {
  const int joined = argc > 1 && strcmp(argv[1], "joined") == 0;
  pthread_t t1, t2;
  pthread_create(&t1, NULL, forward, NULL);
  if (joined) pthread_join(t1, NULL);
  pthread_create(&t2, NULL, backward, NULL);
  if (!joined) pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  puts("done");
  return 0;
}
