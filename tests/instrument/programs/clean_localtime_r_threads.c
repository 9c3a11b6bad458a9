// Two threads convert times with localtime_r, mktime and strftime at once, each into its own
// struct tm. The C library keeps the time zone's name in a block it frees and allocates again
// under a lock of its own, which neither the runtime nor ThreadSanitizer sees (clang 14 reports
// a race in free); blocks allocated and freed inside the time-zone calls are the library's:
// their life is known, but they are not checked. Its twin is race_localtime_shared_struct.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static void* Convert(void* arg) {
  char text[64];
  long n = 0;
  for (int i = 0; i < 2000; i++) {
    time_t t = 1700000000 + i;
    struct tm tm;
    localtime_r(&t, &tm);
    n += (long)mktime(&tm) - t;
    n += (long)strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S %z %Z", &tm);
  }
  return (void*)n;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Convert, NULL);
  pthread_create(&b, NULL, Convert, NULL);
  void* ra;
  void* rb;
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  printf("%ld\n", (long)ra + (long)rb);
  return 0;
}
