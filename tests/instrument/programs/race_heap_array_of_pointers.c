/* Heap blocks whose pointers are kept in arrays: worker records in a global array of
   pointers, and slots (a typedef'd anonymous struct) in an array of pointers that a global
   struct points to. Two threads bump a field of each without a lock. The names come from
   the code that stores each allocation's pointer into its array element (the debug info
   has no variable there). ThreadSanitizer reports both races, as heap blocks with offsets. */
// CHECK: race worker::done in heap block allocated at main race_heap_array_of_pointers.c:35
// CHECK: race slot_t::misses in heap block allocated at main race_heap_array_of_pointers.c:41
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

static void *run(void *arg) {
  workers[0]->done += (long)arg;  // RACE
  tab.slots[1]->misses += 1;      // RACE
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
