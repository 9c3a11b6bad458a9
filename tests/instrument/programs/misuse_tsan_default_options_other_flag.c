// The twin of clean_tsan_default_options_no_leaks: its options turn off only destroy-locked
// reports, so the worker it never joins is still a thread leak.
// CHECK: misuse thread-leak
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

const char* __tsan_default_options(void) { return "report_destroy_locked=0"; }

static void* Announce(void* arg) {
  (void)arg;
  puts("started");
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Announce, NULL);
  usleep(100 * 1000);
  return 0;
}
