// Main locks a mutex and another thread unlocks it. "normal": a normal mutex, the unlock
// succeeds (misuse: unlock-not-owner; the lock is then free). "errorcheck": the unlock fails
// with EPERM and main unlocks it itself. "self": main locks and unlocks, nothing is wrong.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m;
static int result = -1;

static void* unlocker(void* arg) {
  (void)arg;
  result = pthread_mutex_unlock(&m);
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "normal";
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, strcmp(mode, "errorcheck") == 0 ? PTHREAD_MUTEX_ERRORCHECK
                                                                : PTHREAD_MUTEX_NORMAL);
  pthread_mutex_init(&m, &a);
  printf("M %p\n", (void*)&m);
  pthread_mutex_lock(&m);
  if (strcmp(mode, "self") != 0) {
    pthread_t t;
    pthread_create(&t, NULL, unlocker, NULL);
    pthread_join(t, NULL);
  }
  // Still ours unless the other thread's unlock went through.
  if (strcmp(mode, "normal") != 0) pthread_mutex_unlock(&m);
  printf("unlock by other thread returned %d\n", result);
  return 0;
}
