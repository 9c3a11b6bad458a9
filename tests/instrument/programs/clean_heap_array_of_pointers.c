/* The twin of race_heap_array_of_pointers: the same blocks in the same arrays, each field
   bumped under a mutex. ThreadSanitizer (clang 14) agrees: no race. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct worker {
  int id;
  long done;
};
struct worker *workers[4];

typedef struct {  // named by its typedef
  long hits;
  long misses;
} slot_t;
struct table {
  int n;
  slot_t **slots;
} tab;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg) {
  pthread_mutex_lock(&mu);
  workers[0]->done += (long)arg;
  tab.slots[1]->misses += 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  for (int i = 0; i < 4; ++i) {
    workers[i] = malloc(sizeof(struct worker));
    workers[i]->id = i;
    workers[i]->done = 0;
  }
  tab.n = 4;
  tab.slots = calloc(4, sizeof(slot_t *));
  for (int i = 0; i < 4; ++i) tab.slots[i] = calloc(1, sizeof(slot_t));
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %ld\n", workers[0]->done, tab.slots[1]->misses);
  return 0;
}
