// A thread-specific data destructor counts what it releases into a global; main reads the
// count once a relaxed flag says the worker ended: nothing orders the two. Key destructors run
// as the thread exits, after its start routine returned.
// CHECK: race released_bytes
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_key_t buffer_key;
static long released_bytes;
static int worker_done;

static void ReleaseBuffer(void* buffer) {
  free(buffer);
  released_bytes += 256;  // RACE
  __atomic_store_n(&worker_done, 1, __ATOMIC_RELAXED);
}

static void* Worker(void* arg) {
  (void)arg;
  char* buffer = malloc(256);
  snprintf(buffer, 256, "scratch");
  pthread_setspecific(buffer_key, buffer);
  return NULL;
}

int main(void) {
  pthread_key_create(&buffer_key, ReleaseBuffer);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  while (!__atomic_load_n(&worker_done, __ATOMIC_RELAXED)) {
  }
  printf("released %ld bytes\n", released_bytes);  // RACE
  return 0;
}
