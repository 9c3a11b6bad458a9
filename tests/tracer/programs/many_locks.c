/* Many traced events (lock and unlock in a loop, argv[1] rounds), then a line on stdout and
 * exit 0: for the trace size cap and the file size limit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100000;
  for (long i = 0; i < rounds; ++i) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
  }
  printf("done %ld rounds\n", rounds);
  return 0;
}
