// The same suppression as clean_tsan_default_suppressions, but the racy counter is another:
// a suppression covers what it names and nothing else.
// CHECK: race exact_requests
#include <pthread.h>
#include <stdio.h>

long approx_requests;
long exact_requests;  // billed: must be exact

const char* __tsan_default_suppressions(void) { return "race:approx_requests\n"; }

static void* Serve(void* arg) {
  (void)arg;
  for (int i = 0; i < 1000; ++i) exact_requests++;  // RACE
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Serve, NULL);
  pthread_create(&b, NULL, Serve, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld requests, about %ld\n", exact_requests, approx_requests);
  return 0;
}
