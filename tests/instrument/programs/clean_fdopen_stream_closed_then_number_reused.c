// A thread wraps a pipe's write end in a stream (fdopen), writes through it and closes the
// stream: fclose closes the descriptor. Another thread later opens a file and the kernel hands
// it the same number. The number was free only once the fclose had closed it, so the earlier
// uses of the descriptor come before the open: no race. (The later thread's delay is not
// synchronization; it only makes the number's reuse sure.)
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int ends[2];
static int reused = -1;

static void* Writer(void* arg) {
  FILE* f = fdopen(ends[1], "wb");
  fputs("x", f);
  fclose(f);
  return arg;
}

static void* Opener(void* arg) {
  usleep(100 * 1000);
  reused = open("/dev/null", O_RDONLY);
  return arg;
}

int main(void) {
  if (pipe(ends) != 0) return 2;
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, NULL);
  pthread_create(&b, NULL, Opener, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  char c = 0;
  if (read(ends[0], &c, 1) != 1 || c != 'x') return 3;
  printf("%s\n", reused == ends[1] ? "the number was reused" : "another number");
  close(reused);
  close(ends[0]);
  return 0;
}
