/* Workers that add to a shared total under a mutex; `counter race` also bumps `hits`
 * without it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WORKERS 3

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static long hits;
static int racy;

static void* worker(void* arg) {
  long n = (long)arg;
  pthread_mutex_lock(&lock);
  total += n;
  pthread_mutex_unlock(&lock);
  if (racy) hits += 1;
  return NULL;
}

int main(int argc, char** argv) {
  racy = argc > 1 && strcmp(argv[1], "race") == 0;
  pthread_t threads[WORKERS];
  for (long i = 0; i < WORKERS; ++i) pthread_create(&threads[i], NULL, worker, (void*)(i + 1));
  for (int i = 0; i < WORKERS; ++i) pthread_join(threads[i], NULL);
  printf("total %ld hits %ld\n", total, hits);
  return 0;
}
