// A program whose __tsan_default_options() turns thread-leak reports off (a fire-and-forget
// worker it never joins): no finding, as under TSan. misuse_tsan_default_options_other_flag
// turns off something else and keeps the leak.
// CHECK: no-misuse
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

const char* __tsan_default_options(void) { return "halt_on_error=0 report_thread_leaks=0"; }

static void* Announce(void* arg) {
  (void)arg;
  puts("started");
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Announce, NULL);
  usleep(100 * 1000);  // the worker has ended, never joined
  return 0;
}
