/* Deadlocks through a pipe, and their twins that end. Modes:
 *   "wait-first": the parent waits for its child before it reads the child's output; the
 *     child's 1 MiB fills the pipe and its write waits for a reader (twin: "read-first").
 *   "stdio-wait-first": the same, the child writing through stdio (fwrite, fflush).
 *   "own-write-end": the parent reads to end of file but kept its copy of the write end, so
 *     end of file never comes (twin: "closed-write-end").
 *   "lock-then-pipe": one process, two threads: a writer holds a mutex while it writes 1 MiB
 *     to a pipe, the reader takes the mutex before it reads (twin: "pipe-then-lock", whose
 *     reader reads without it).
 *   "slow-writer": the child works for 1.5 s before it writes: the parent's read waits on a
 *     process that runs, no deadlock.
 *   "stdin": reads standard input (a pipe from outside the recording in the test).
 *   "cat-feed-first": the parent feeds 1 MiB to `cat` (a traced program, by exec) through one
 *     pipe and reads its output through another, but writes everything before it reads: cat's
 *     output fills its pipe, cat stops reading, and both writes wait (twin: "cat-feed-thread",
 *     which feeds from a thread while main reads, as subprocess.communicate() does).
 *   "untraced-reader": the parent writes 1 MiB to a pipe whose read end it kept, and which a
 *     child reads after 1 s as a program that is not traced (exec with an empty environment):
 *     the parent's write waits on a process no watchdog sees, no deadlock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kBig = 1 << 20 };
static char big[kBig];

static int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static size_t read_to_end(int fd) {
  char b[4096];
  size_t total = 0;
  ssize_t n;
  while ((n = read(fd, b, sizeof b)) > 0) total += (size_t)n;
  return total;
}

/* A child that writes `bytes` to the pipe (through stdio when `stdio`), after `delay_ms`. */
static pid_t writer_child(int* fd, size_t bytes, int stdio, int delay_ms) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  close(fd[0]);
  if (delay_ms) {
    struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  if (stdio) {
    FILE* out = fdopen(fd[1], "w");
    if (!out || fwrite(big, 1, bytes, out) != bytes || fflush(out) != 0) _exit(1);
    _exit(0);
  }
  _exit(write_all(fd[1], big, bytes) == 0 ? 0 : 1);
}

static int parent(const char* mode) {
  int fd[2];
  if (pipe(fd) != 0) return 1;
  const int stdio = strcmp(mode, "stdio-wait-first") == 0;
  const int wait_first = stdio || strcmp(mode, "wait-first") == 0;
  const int own_end = strcmp(mode, "own-write-end") == 0;
  const int slow = strcmp(mode, "slow-writer") == 0;
  const size_t bytes = own_end || slow || !strcmp(mode, "closed-write-end") ? 64 : kBig;
  pid_t pid = writer_child(fd, bytes, stdio, slow ? 1500 : 0);
  if (pid < 0) return 1;
  if (!own_end) close(fd[1]);
  int status = 0;
  if (wait_first) waitpid(pid, &status, 0);
  size_t got = read_to_end(fd[0]);
  if (!wait_first) waitpid(pid, &status, 0);
  printf("%zu\n", got);
  return got == bytes ? 0 : 1;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int fds[2];
static int reader_locks;

static void* writer(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  write_all(fds[1], big, kBig);
  pthread_mutex_unlock(&m);
  close(fds[1]);
  return NULL;
}

static int threads(int locks) {
  if (pipe(fds) != 0) return 1;
  reader_locks = locks;
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  struct timespec ts = {0, 100000000L};
  nanosleep(&ts, NULL);  /* the writer holds the mutex first */
  if (reader_locks) pthread_mutex_lock(&m);
  size_t got = read_to_end(fds[0]);
  if (reader_locks) pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  printf("%zu\n", got);
  return got == kBig ? 0 : 1;
}

/* The child runs `sh -c 'sleep 1; cat >/dev/null'` on the pipe's read end, not traced. */
static int untraced_reader(void) {
  int fd[2];
  if (pipe(fd) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[0], 0);
    close(fd[1]);
    char* const argv[] = {"sh", "-c", "sleep 1; cat >/dev/null", NULL};
    char* const env[] = {"PATH=/usr/bin:/bin", NULL};
    execve("/bin/sh", argv, env);
    _exit(127);
  }
  int ok = write_all(fd[1], big, kBig) == 0;  /* the read end is still open here too */
  close(fd[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", ok);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int cat_in[2];

static void* feed(void* arg) {
  (void)arg;
  write_all(cat_in[1], big, kBig);
  close(cat_in[1]);
  return NULL;
}

static int cat_round_trip(int threaded) {
  int out[2];
  if (pipe(cat_in) != 0 || pipe(out) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(cat_in[0], 0);
    dup2(out[1], 1);
    close(cat_in[0]);
    close(cat_in[1]);
    close(out[0]);
    close(out[1]);
    execlp("cat", "cat", (char*)NULL);
    _exit(127);
  }
  close(cat_in[0]);
  close(out[1]);
  pthread_t t;
  if (threaded) pthread_create(&t, NULL, feed, NULL);
  else feed(NULL);
  size_t got = read_to_end(out[0]);
  if (threaded) pthread_join(t, NULL);
  waitpid(pid, NULL, 0);
  printf("%zu\n", got);
  return got == kBig ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "read-first";
  memset(big, 'x', sizeof big);
  if (!strcmp(mode, "lock-then-pipe")) return threads(1);
  if (!strcmp(mode, "pipe-then-lock")) return threads(0);
  if (!strcmp(mode, "untraced-reader")) return untraced_reader();
  if (!strcmp(mode, "cat-feed-first")) return cat_round_trip(0);
  if (!strcmp(mode, "cat-feed-thread")) return cat_round_trip(1);
  if (!strcmp(mode, "stdin")) {
    printf("%zu\n", read_to_end(0));
    return 0;
  }
  return parent(mode);
}
