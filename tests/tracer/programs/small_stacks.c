/* Threads with the smallest stack the C library allows (PTHREAD_STACK_MIN), and with a stack
 * the program allocated itself. Each checks it has at least the stack it asked for, and the
 * program prints "ok" when all were created. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void* Check(void* want) {
  pthread_attr_t attr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return "getattr";
  pthread_attr_getstacksize(&attr, &size);
  pthread_attr_destroy(&attr);
  return size >= *(size_t*)want ? NULL : "smaller stack";
}

static int Run(pthread_attr_t* attr, size_t want, const char* what) {
  pthread_t t;
  void* result = NULL;
  int r = pthread_create(&t, attr, Check, &want);
  if (r != 0) {
    printf("%s: pthread_create failed (%d)\n", what, r);
    return 1;
  }
  pthread_join(t, &result);
  if (result) printf("%s: %s\n", what, (const char*)result);
  return result != NULL;
}

int main(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
  int bad = Run(&attr, PTHREAD_STACK_MIN, "PTHREAD_STACK_MIN");
  pthread_attr_destroy(&attr);

  size_t own_size = 256 * 1024;
  void* own = aligned_alloc(4096, own_size);
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, own, own_size);
  bad |= Run(&attr, own_size, "own stack");
  pthread_attr_destroy(&attr);
  free(own);
  if (!bad) printf("ok\n");
  return bad;
}
