// A worker publishes its thread-specific buffer; its key destructor frees it when the worker
// exits, while main still reads it: a use after free by another thread.
// CHECK: race *
// CHECK: subkind use-after-free
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_key_t buffer_key;
static char* shared_buffer;

static void* Worker(void* arg) {
  (void)arg;
  char* buffer = malloc(64);
  snprintf(buffer, 64, "greeting");
  pthread_setspecific(buffer_key, buffer);
  __atomic_store_n(&shared_buffer, buffer, __ATOMIC_RELEASE);
  return NULL;
}

static void Release(void* buffer) {
  free(buffer);  // RACE
}

int main(void) {
  pthread_key_create(&buffer_key, Release);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  char* buffer;
  while (!(buffer = __atomic_load_n(&shared_buffer, __ATOMIC_ACQUIRE))) {
  }
  usleep(200 * 1000);  // the worker has exited by now, its buffer freed
  printf("%c\n", buffer[0]);  // RACE
  pthread_join(t, NULL);
  return 0;
}
