/* Counters reached through two pointers loaded one from another (`s->shard->stats->misses`),
   in a block the program carves up itself, so neither the allocation nor a variable says
   their type: the access's code does, from the variable `s` through the pointer members
   `shard` and `stats`. Two threads add to the same counter without a lock. */
// CHECK: race counters::misses in heap block allocated at main race_heap_field_through_member_chain.c:33
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct counters {
  long hits;
  long misses;
};
struct shard {
  int id;
  struct counters *stats;
};
struct server {
  char name[16];
  struct shard *shard;
};

static void *worker(void *arg) {
  struct server *s = arg;
  s->shard->stats->misses++;  // RACE
  return NULL;
}

int main(void) {
  struct server srv = {"main", NULL};
  struct shard sh = {1, NULL};
  /* One block for every shard's counters, carved by hand. */
  char *arena = malloc(256);
  if (!arena) return 1;
  sh.stats = (struct counters *)(arena + 64);
  sh.stats->hits = sh.stats->misses = 0;
  srv.shard = &sh;
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, worker, &srv);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", sh.stats->misses);
  free(arena);
  return 0;
}
