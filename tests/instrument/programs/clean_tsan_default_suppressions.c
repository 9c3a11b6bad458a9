// A program that carries its ThreadSanitizer suppressions in __tsan_default_suppressions():
// its approximate statistics counter races on purpose, and the suppression keeps it out of
// the report, as under TSan. The twin, race_tsan_default_suppressions_miss, races elsewhere.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

long approx_requests;  // read for a dashboard; an exact count is not needed

const char* __tsan_default_suppressions(void) { return "# statistics\nrace:approx_requests\n"; }

static void* Serve(void* arg) {
  (void)arg;
  for (int i = 0; i < 1000; ++i) approx_requests++;
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Serve, NULL);
  pthread_create(&b, NULL, Serve, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("about %ld requests\n", approx_requests);
  return 0;
}
