/* Many traced events (lock and unlock in a loop, argv[1] rounds), then a line on stdout and
 * exit 0: for the trace size cap and the file size limit. The rounds take sixteen locks in
 * turn, more than the tracer looks back over for the round before of a lock (a repeat would
 * be counted, not written). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { kLocks = 16 };
static pthread_mutex_t m[kLocks];

int main(int argc, char** argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100000;
  for (int i = 0; i < kLocks; ++i) pthread_mutex_init(&m[i], NULL);
  for (long i = 0; i < rounds; ++i) {
    pthread_mutex_lock(&m[i % kLocks]);
    pthread_mutex_unlock(&m[i % kLocks]);
  }
  printf("done %ld rounds\n", rounds);
  return 0;
}
