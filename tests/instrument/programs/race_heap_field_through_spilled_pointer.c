/* The pointer a field is reached from lives across calls in a stack slot (`s`, spilled and
   reloaded, with %rbp a register like another: no frame pointer at -O1), then two pointers are
   loaded one from another (`s->shard->stats`). The counters are carved from a block of bytes,
   so only the access's code says their type. Two threads add to the same counter. */
// CHECK: race counters::misses in heap block allocated at main race_heap_field_through_spilled_pointer.c:37
// BUILD: -fomit-frame-pointer
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

__attribute__((noinline)) long mix(long a, long b) { return a * 31 + b; }

static void *worker(void *arg) {
  struct server *s = arg;
  long a = mix(1, 2), b = mix(a, 3), c = mix(b, 4), d = mix(c, 5), e = mix(d, 6);
  long f = mix(e, 7), g = mix(f, a), h = mix(g, b);
  s->shard->stats->misses += mix(a + b + c, d + e + f + g + h);  // RACE
  return (void *)(a ^ b ^ c ^ d ^ e ^ f ^ g ^ h);
}

int main(void) {
  struct server srv = {"main", NULL};
  struct shard sh = {1, NULL};
  char *arena = malloc(256);
  if (!arena) return 1;
  sh.stats = (struct counters *)(arena + 64);
  sh.stats->misses = 0;
  srv.shard = &sh;
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, worker, &srv);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", sh.stats->misses);
  free(arena);
  return 0;
}
