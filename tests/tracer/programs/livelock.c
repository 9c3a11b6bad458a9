/* Two threads that busy-loop, now and then checking under a lock for a go-ahead: neither
 * blocks (the lock is only tried: a spinner that waited for the other's hold would be
 * blocked, on a busy machine, at the moment the watchdog looks), neither gets anywhere (as
 * in a livelock), and the watchdog never sees them blocked. With "finish" main gives the
 * go-ahead after 200 ms and the program ends. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int go;

static void* spinner(void* arg) {
  (void)arg;
  for (unsigned long i = 1;; ++i) {
    if (i % 65536) continue;
    if (pthread_mutex_trylock(&m) != 0) continue;
    int done = go;
    pthread_mutex_unlock(&m);
    if (done) return NULL;
  }
}

int main(int argc, char** argv) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, spinner, NULL);
  pthread_create(&t2, NULL, spinner, NULL);
  if (argc > 1 && strcmp(argv[1], "finish") == 0) {
    usleep(200 * 1000);
    pthread_mutex_lock(&m);
    go = 1;
    pthread_mutex_unlock(&m);
  }
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  puts("done");
  return 0;
}
