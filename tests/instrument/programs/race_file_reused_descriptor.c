// main reads file A through a stream and closes it: fclose closes its descriptor inside the
// C library. A worker then opens file B with fopen, which gets the same descriptor number,
// writes it and fills in a result; main reads A again and then the result. Nothing orders
// the two: the number once A's must not carry what the worker writes to B over to A's readers.
// CHECK: race result
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path_a[] = "/tmp/threadlens_reuse_a_XXXXXX";
static char path_b[] = "/tmp/threadlens_reuse_b_XXXXXX";
_Alignas(64) static long result;

static void* Worker(void* arg) {
  (void)arg;
  result = 6 * 7;  // RACE
  FILE* b = fopen(path_b, "w");
  if (!b) abort();
  fputs("written\n", b);
  fflush(b);
  fclose(b);
  return NULL;
}

int main(void) {
  int a = mkstemp(path_a), b = mkstemp(path_b);
  if (a < 0 || b < 0) return 1;
  if (write(a, "hello\n", 6) != 6) return 1;
  close(a);
  close(b);
  FILE* fa = fopen(path_a, "r");
  char line[16];
  if (!fa || !fgets(line, sizeof line, fa)) return 1;
  fclose(fa);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  usleep(200 * 1000);
  int again = open(path_a, O_RDONLY);
  if (pread(again, line, 6, 0) != 6) return 1;
  close(again);
  long seen = result;  // RACE
  pthread_join(t, NULL);
  unlink(path_a);
  unlink(path_b);
  printf("%ld %s", seen, line);
  return 0;
}
