// The correct twin of race_key_destructor_write.c and race_key_destructor_free.c: main joins
// the worker before it reads the count and reuses the memory; the join waits for the
// thread's key destructors, so they happen before everything after it.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_key_t buffer_key;
static long released_bytes;
static char* last_buffer;

static void ReleaseBuffer(void* buffer) {
  free(buffer);
  released_bytes += 256;
}

static void* Worker(void* arg) {
  (void)arg;
  char* buffer = malloc(256);
  snprintf(buffer, 256, "scratch");
  last_buffer = buffer;
  pthread_setspecific(buffer_key, buffer);
  return NULL;
}

int main(void) {
  pthread_key_create(&buffer_key, ReleaseBuffer);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  // The freed buffer's memory, allocated again (often at the same address) and written.
  char* again = malloc(256);
  memset(again, 1, 256);
  printf("released %ld bytes, reused %d\n", released_bytes, again == last_buffer);
  free(again);
  return 0;
}
