// The twin of clean_localtime_r_threads: the threads use localtime, whose struct tm is one
// for the whole process, and format it while the other may be filling it: a real race on
// the C library's buffer (civetweb's access log without REENTRANT_TIME). The time zone's
// name, which the library reallocates under its own lock, is still no race.
// CHECK: race the struct tm of localtime and gmtime
// CHECK: races 1
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static void* Convert(void* arg) {
  char text[64];
  long n = 0;
  for (int i = 0; i < 2000; i++) {
    time_t t = 1700000000 + i;
    struct tm* tm = localtime(&t);  // RACE
    n += (long)strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S %z %Z", tm);  // RACE
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
