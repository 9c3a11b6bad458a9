/* Two processes, two locks taken in opposite orders: the parent holds lock_a and wants lock_b,
 * the child holds lock_b and wants lock_a. Each process's watchdog ends it (the cycle runs
 * through both); the recording holds both sides. The locks are process-shared mutexes, or with
 * argument "flock" two files' flocks (each process opens the files for itself); "flock-fcntl"
 * fcntl's locks instead, the parent's first one a record lock of the process (not of a
 * thread: kept out of the process's analysis), the others open file descriptions' locks. "busy" (or
 * "flock-busy") adds a parent thread that never blocks, so only the cycle across the processes
 * can end it, never "every thread blocked". "flock-ordered": both take the files in one order,
 * and end. "flock-inherited": the parent locks a file and forks; the child, whose copy of the
 * descriptor shares the parent's lock, waits through a descriptor of its own until the
 * parent gives the lock up (no deadlock: the parent may). */
#define _GNU_SOURCE  /* F_OFD_SETLKW */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared_memory.h"
#include "threadlens/threadlens.h"

struct shared {
  pthread_mutex_t a, b;
};

static void init(pthread_mutex_t* m, const char* name) {
  init_shared_mutex(m);
  threadlens_name_lock(m, name);
}

static void take(pthread_mutex_t* first, pthread_mutex_t* second) {
  pthread_mutex_lock(first);
  usleep(200 * 1000);
  pthread_mutex_lock(second);
  pthread_mutex_unlock(second);
  pthread_mutex_unlock(first);
}

static void* busy(void* arg) {
  (void)arg;
  for (;;) usleep(10 * 1000);
  return NULL;
}

static char paths[2][64];

/* A lock of the whole file (`type` F_WRLCK) or its unlock (F_UNLCK): flock, or with `record`
 * fcntl's: an F_OFD_SETLKW lock (the open file description's), or with `record` > 1 an
 * F_SETLKW one (the process's; the two kinds conflict, flock with neither). */
static int lock_file(int fd, int record, short type) {
  if (!record) return flock(fd, type == F_UNLCK ? LOCK_UN : LOCK_EX);
  struct flock l;
  memset(&l, 0, sizeof l);
  l.l_type = type;
  l.l_whence = SEEK_SET;
  return fcntl(fd, record > 1 ? F_SETLKW : F_OFD_SETLKW, &l);
}

/* Locks `first`, then `second` (descriptors this process opened; the first by
 * `record_first`'s kind, the second by `record`'s), and gives both up. */
static void take_files(int first, int second, int record_first, int record, int pause_ms) {
  if (lock_file(first, record_first, F_WRLCK) != 0) _exit(1);
  usleep(pause_ms * 1000);
  if (lock_file(second, record, F_WRLCK) != 0) _exit(1);
  lock_file(second, record, F_UNLCK);
  lock_file(first, record_first, F_UNLCK);
}

/* This process's own descriptors of the two files (open file descriptions of its own). */
static void open_files(int fds[2]) {
  for (int i = 0; i < 2; ++i) {
    fds[i] = open(paths[i], O_RDWR);
    if (fds[i] < 0) _exit(1);
  }
}

static int files(const char* mode) {
  const int ordered = strstr(mode, "ordered") != NULL, record = strstr(mode, "fcntl") != NULL;
  /* With fcntl: the parent's first lock is the process's, the others the descriptions'. */
  for (int i = 0; i < 2; ++i) {
    snprintf(paths[i], sizeof paths[i], "/tmp/threadlens-proc-flock-%d-%c", (int)getpid(),
             'a' + i);
    const int fd = open(paths[i], O_CREAT | O_RDWR, 0600);
    if (fd < 0) return 1;
    close(fd);
  }
  int opened[2];  /* the child has its descriptors: the names can go */
  if (pipe(opened) != 0) return 1;
  int fds[2];
  pid_t pid = fork();
  if (pid == 0) {
    open_files(fds);
    if (write(opened[1], "", 1) != 1) _exit(1);
    if (ordered) {
      for (int i = 0; i < 20; ++i) take_files(fds[0], fds[1], 0, 0, 1);
    } else {
      take_files(fds[1], fds[0], record, record, 200);
    }
    _exit(0);
  }
  open_files(fds);
  char byte;
  if (read(opened[0], &byte, 1) != 1) return 1;
  /* The descriptors keep the files: a run the watchdog ends leaves nothing behind. */
  unlink(paths[0]);
  unlink(paths[1]);
  if (strstr(mode, "busy")) {
    pthread_t t;
    pthread_create(&t, NULL, busy, NULL);
  }
  if (ordered) {
    for (int i = 0; i < 20; ++i) take_files(fds[0], fds[1], 0, 0, 1);
  } else {
    take_files(fds[0], fds[1], record ? 2 : 0, record, 200);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static int inherited(void) {
  snprintf(paths[0], sizeof paths[0], "/tmp/threadlens-proc-flock-%d-i", (int)getpid());
  const int fd = open(paths[0], O_CREAT | O_RDWR, 0600);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    const int own = open(paths[0], O_RDWR);
    if (own < 0 || flock(own, LOCK_EX) != 0) _exit(1);  /* waits for the parent */
    _exit(0);
  }
  usleep(600 * 1000);  /* past the watchdog's two polls */
  flock(fd, LOCK_UN);
  int status = 0;
  waitpid(pid, &status, 0);
  unlink(paths[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "flock-inherited") == 0) return inherited();
  if (argc > 1 && strncmp(argv[1], "flock", 5) == 0) return files(argv[1]);
  struct shared* s = map_shared(sizeof *s);
  if (!s) return 1;
  init(&s->a, "lock_a");
  init(&s->b, "lock_b");
  pid_t pid = fork();
  if (pid == 0) {
    take(&s->b, &s->a);
    _exit(0);
  }
  if (argc > 1 && argv[1][0] == 'b') {
    pthread_t t;
    pthread_create(&t, NULL, busy, NULL);
  }
  take(&s->a, &s->b);
  waitpid(pid, NULL, 0);
  return 0;
}
