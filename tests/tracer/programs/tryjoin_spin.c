/* A tryjoin spin: main calls pthread_tryjoin_np again and again until a thread that sleeps
 * for 50 ms ends. Prints the number of tries that found it running, which the trace counts
 * on one record. `detached`: a third thread detaches the sleeper after 20 ms, and main spins
 * for 40 ms (its tries after the detach join a detached thread, a misuse, though they find it
 * running as the others did). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t sleeper;

static void* Sleep(void* arg) {
  (void)arg;
  usleep(50 * 1000);
  return NULL;
}

static void* Detach(void* arg) {
  (void)arg;
  usleep(20 * 1000);
  pthread_detach(sleeper);
  return NULL;
}

int main(int argc, char** argv) {
  const int detach = argc > 1 && strcmp(argv[1], "detached") == 0;
  pthread_t helper;
  pthread_create(&sleeper, NULL, Sleep, NULL);
  if (detach) pthread_create(&helper, NULL, Detach, NULL);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long busy = 0;
  int r;
  while ((r = pthread_tryjoin_np(sleeper, NULL)) == EBUSY) {
    ++busy;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (detach && (t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec > 40000000L) break;
  }
  if (detach) {
    pthread_join(helper, NULL);
    usleep(80 * 1000); /* the detached sleeper ends on its own */
  }
  printf("BUSY %ld last %s\n", busy, r == 0 ? "joined" : r == EBUSY ? "busy" : "failed");
  return 0;
}
