// A spawner thread starts detached threads and is forgotten; main, which never synchronizes
// with it, then creates and joins threads with bigger stacks. glibc frees the ended detached
// threads' cached stacks inside main's joins, and with them the TLS vectors it allocated
// inside the spawner's pthread_create: its stack cache lock orders the two, unseen. The
// blocks glibc allocates and frees inside those calls are the library's (as in
// ThreadSanitizer): no use after free between them.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void* Pause(void* arg) {
  usleep(20 * 1000);
  return arg;
}

static void* Spawner(void* arg) {
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
  usleep(300 * 1000);  // the detached threads have ended: their stacks are cached
  pthread_attr_t big;  // too big for a cached stack: each join caches one more
  pthread_attr_init(&big);
  pthread_attr_setstacksize(&big, 16 << 20);
  for (int i = 0; i < 4; ++i) {
    pthread_t t;
    pthread_create(&t, &big, Pause, NULL);
    pthread_join(t, NULL);
  }
  pthread_attr_destroy(&big);
  puts("done");
  return 0;
}
