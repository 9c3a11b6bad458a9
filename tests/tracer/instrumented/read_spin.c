// Main tries a non-blocking read of a pipe again and again until a thread, about 20 ms on,
// writes a byte into it. `ordered`: the thread sets `data` before it writes the byte, and
// main reads `data` once it got the byte (the pipe orders them: no race). `late`: the thread
// sets `data` after writing the byte (a race). Prints how many reads found the pipe empty.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fds[2];
static int data;
static int late;

static void* Writer(void* arg) {
  (void)arg;
  usleep(20000);
  if (!late) data = 1;
  if (write(fds[1], "x", 1) != 1) return NULL;
  if (late) data = 1;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2 || pipe(fds) != 0) return 2;
  late = strcmp(argv[1], "late") == 0;
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  long empty = 0;
  char c;
  while (read(fds[0], &c, 1) != 1) ++empty;
  const int seen = data;
  pthread_join(t, NULL);
  printf("EMPTY %ld seen %d\n", empty, seen);
  return 0;
}
