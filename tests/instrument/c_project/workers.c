/* Workers that meet at a barrier after a pthread_once initialization and add up their
 * shares under a mutex; `workers race` also bumps a counter without the mutex. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_barrier_t barrier;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int weights[WORKERS];
static int shares[WORKERS];
static long total;
static long unlocked;
static int racy;

static void init_weights(void) {
  for (int i = 0; i < WORKERS; ++i) weights[i] = i + 1;
}

static void* worker(void* arg) {
  int id = (int)(long)arg;
  pthread_once(&once, init_weights);
  shares[id] = weights[id] * 10;
  pthread_barrier_wait(&barrier);
  int sum = 0;
  for (int i = 0; i < WORKERS; ++i) sum += shares[i];
  pthread_mutex_lock(&lock);
  total += sum;
  pthread_mutex_unlock(&lock);
  if (racy) unlocked += 1;
  return NULL;
}

int main(int argc, char** argv) {
  racy = argc > 1 && strcmp(argv[1], "race") == 0;
  pthread_barrier_init(&barrier, NULL, WORKERS);
  pthread_t threads[WORKERS];
  for (long i = 0; i < WORKERS; ++i) pthread_create(&threads[i], NULL, worker, (void*)i);
  for (int i = 0; i < WORKERS; ++i) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&barrier);
  char* copy = malloc(32);
  snprintf(copy, 32, "%ld", total);
  printf("total %s unlocked %ld\n", copy, unlocked);
  free(copy);
  return 0;
}
