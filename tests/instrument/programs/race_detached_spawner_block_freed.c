// The twin of clean_detached_threads_stack_cache: the spawner allocates a block of its own
// just before it starts the detached threads, and main frees it after its joins, with
// nothing ordering the two: the program's blocks are still checked around those calls.
// CHECK: race *
// CHECK: subkind use-after-free
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char* volatile note;

static void* Pause(void* arg) {
  usleep(20 * 1000);
  return arg;
}

static void* Spawner(void* arg) {
  char* n = malloc(64);
  n[0] = 's';  // RACE
  note = n;
  pthread_attr_t detached;
  pthread_attr_init(&detached);
  pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
  for (int i = 0; i < 4; ++i) {
    pthread_t t;
    pthread_create(&t, &detached, Pause, NULL);
  }
  pthread_attr_destroy(&detached);
  return arg;
}

int main(void) {
  pthread_t s;
  pthread_create(&s, NULL, Spawner, NULL);
  pthread_detach(s);
  usleep(300 * 1000);
  pthread_attr_t big;
  pthread_attr_init(&big);
  pthread_attr_setstacksize(&big, 16 << 20);
  for (int i = 0; i < 4; ++i) {
    pthread_t t;
    pthread_create(&t, &big, Pause, NULL);
    pthread_join(t, NULL);
  }
  pthread_attr_destroy(&big);
  free(note);  // RACE
  puts("done");
  return 0;
}
