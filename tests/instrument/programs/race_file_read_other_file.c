// A worker fills in a result, then writes file A; main reads file B, which it wrote itself,
// and then the result. Each regular file is its own channel, so reading B orders nothing
// after the write to A: the race is reported. (ThreadSanitizer, clang 14, is silent: one
// synchronization object stands for every file, so any file write orders any later read.)
// Its correct twin is clean_file_handoff, where main reads the file the worker wrote.
// CHECK: race result
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int file_a, file_b;
_Alignas(64) static long result;

static void* Worker(void* arg) {
  (void)arg;
  result = 6 * 7;  // RACE
  if (write(file_a, "x", 1) != 1) abort();
  return NULL;
}

int main(void) {
  char a[] = "/tmp/threadlens_file_a_XXXXXX", b[] = "/tmp/threadlens_file_b_XXXXXX";
  int made_a = mkstemp(a), made_b = mkstemp(b);
  if (made_a < 0 || made_b < 0) return 1;
  close(made_a);
  close(made_b);
  file_a = open(a, O_WRONLY);
  file_b = open(b, O_RDWR);
  unlink(a);
  unlink(b);
  if (write(file_b, "hello", 5) != 5) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  usleep(200 * 1000);
  char c;
  if (pread(file_b, &c, 1, 0) != 1) return 1;
  long seen = result;  // RACE
  pthread_join(t, NULL);
  printf("%ld %c\n", seen, c);
  return 0;
}
