// Threads that print the address of a local of theirs ("S 0x...") and of their copy of a
// thread-local ("T 0x..."), for the thread_stack and thread_tls records: each address must
// lie in a range its thread recorded.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread long tls_value;

static void PrintLocal(const volatile long* local) {
  pthread_mutex_lock(&print_lock);
  printf("S %p\n", (const void*)local);
  printf("T %p\n", (void*)&tls_value);
  fflush(stdout);
  pthread_mutex_unlock(&print_lock);
}

static void* Worker(void* arg) {
  volatile long local = (long)arg;
  PrintLocal(&local);
  return NULL;
}

int main(void) {
  volatile long local = 0;
  PrintLocal(&local);
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, Worker, (void*)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  return 0;
}
