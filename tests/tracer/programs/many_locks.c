/* Many traced events (lock and unlock in a loop, argv[1] rounds), then a line on stdout and
 * exit 0: for the trace size cap and the file size limit. The rounds take two locks in turn,
 * so no round repeats the one before (a repeat would be counted, not written). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m[2] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};

int main(int argc, char** argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100000;
  for (long i = 0; i < rounds; ++i) {
    pthread_mutex_lock(&m[i % 2]);
    pthread_mutex_unlock(&m[i % 2]);
  }
  printf("done %ld rounds\n", rounds);
  return 0;
}
