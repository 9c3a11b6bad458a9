/* One edge between two processes per mode (argv[1], up to a '+' that tells runs apart): the
 * parent and its forked child touch `data` in shared memory, ordered by that edge, or (the
 * "race" twins) not. Built with the instrumentation; process_tree_test.cc expects a race on
 * data exactly for the twins. */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared_memory.h"
#include "threadlens/threadlens.h"

struct shared {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  sem_t sem;
  int ready;
  long data;
};

static struct shared* s;
static int fds[2];
static char name[64];
static int segment = -1; /* the System V segment of the sysv-shm modes */
static int sems = -1;    /* the System V semaphore set of the sysv-sem modes */

static int is(const char* mode, const char* m) { return strcmp(mode, m) == 0; }
static int file_lock(const char* mode) {
  return strncmp(mode, "flock", 5) == 0 || strncmp(mode, "fcntl", 5) == 0;
}
static char lock_path[64];
/* The file-name modes: the parent makes a directory, the child polls access() until it is
 * there ("file-name": the parent wrote data before; "file-name-race": after). */
static int file_name(const char* mode) { return strncmp(mode, "file-name", 9) == 0; }
static char name_path[64];

/* The file lock modes: each process opens the file for itself (a flock belongs to the open
 * file description) and adds to data under its lock: exclusive ("flock"; "fcntl", the child
 * with lockf), or shared in both, which orders nothing (the "-race" twins). */
static void file_locked_add(const char* mode, int in_child) {
  int fd = open(lock_path, O_RDWR);
  if (fd < 0) _exit(1);
  if (strncmp(mode, "flock", 5) == 0) {
    if (flock(fd, is(mode, "flock") ? LOCK_EX : LOCK_SH) != 0) _exit(1);
    s->data += 1;
    flock(fd, LOCK_UN);
  } else if (is(mode, "fcntl") && in_child) {
    if (lockf(fd, F_LOCK, 0) != 0) _exit(1);
    s->data += 1;
    lockf(fd, F_ULOCK, 0);
  } else {
    struct flock l;
    memset(&l, 0, sizeof l);
    l.l_type = is(mode, "fcntl") ? F_WRLCK : F_RDLCK;
    l.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLKW, &l) != 0) _exit(1);
    s->data += 1;
    l.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &l);
  }
  close(fd);
}

/* "flock-exit": the child takes the file's lock, tells the parent so through the pipe, writes
 * data and exits holding the lock; the parent's flock waits for the exit, which gives it up. */
static void child_exits_locked(void) {
  int fd = open(lock_path, O_RDWR);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
  if (write(fds[1], "x", 1) != 1) _exit(1);
  s->data = 1;
  _exit(0);
}

static void child(const char* mode) {
  long seen = 0;
  char byte;
  if (is(mode, "flock-exit")) child_exits_locked();
  if (is(mode, "pipe") || is(mode, "socketpair") || is(mode, "shm-open") ||
      is(mode, "sysv-shm")) {
    if (read(fds[0], &byte, 1) != 1) _exit(1);
  }
  while (file_name(mode) && access(name_path, F_OK) != 0) usleep(1000);
  if (is(mode, "cond") || is(mode, "cond-race")) {
    pthread_mutex_lock(&s->lock);
    while (!s->ready) pthread_cond_wait(&s->cond, &s->lock);
    seen = s->data;
    pthread_mutex_unlock(&s->lock);
  } else if (is(mode, "mutex")) {
    pthread_mutex_lock(&s->lock);
    s->data += 1;
    pthread_mutex_unlock(&s->lock);
  } else if (is(mode, "sem") || is(mode, "sem-race")) {
    if (is(mode, "sem-race")) seen = s->data;
    sem_wait(&s->sem);
    if (is(mode, "sem")) seen = s->data;
  } else if (is(mode, "sysv-sem") || is(mode, "sysv-sem-race")) {
    struct sembuf down = {0, -1, 0};
    if (is(mode, "sysv-sem-race")) seen = s->data;
    if (semop(sems, &down, 1) != 0) _exit(1);
    if (is(mode, "sysv-sem")) seen = s->data;
  } else if (is(mode, "named-sem") || is(mode, "named-sem-race")) {
    sem_t* sem = sem_open(name, 0); /* a mapping of its own, maybe at another address */
    if (sem == SEM_FAILED) _exit(1);
    if (is(mode, "named-sem-race")) seen = s->data;
    sem_wait(sem);
    if (is(mode, "named-sem")) seen = s->data;
    sem_close(sem);
  } else if (is(mode, "shm-open") || is(mode, "shm-open-race")) {
    int fd = shm_open(name, O_RDWR, 0600); /* mapped again: another address */
    long* other = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (other == MAP_FAILED) _exit(1);
    seen = other[1];
    munmap(other, 4096);
    close(fd);
  } else if (is(mode, "sysv-shm") || is(mode, "sysv-shm-race")) {
    long* other = shmat(segment, NULL, 0); /* attached again: another address */
    if (other == (void*)-1) _exit(1);
    seen = other[1];
    shmdt(other);
  } else if (is(mode, "wait") || is(mode, "no-wait")) {
    s->data = 1;
  } else if (file_lock(mode)) {
    file_locked_add(mode, 1);
  } else {
    seen = s->data;
  }
  printf("child saw %ld\n", seen);
  _exit(0);
}

int main(int argc, char** argv) {
  static char mode[32];
  snprintf(mode, sizeof mode, "%s", argc > 1 ? argv[1] : "fork");
  if (strchr(mode, '+')) *strchr(mode, '+') = 0;
  s = map_shared(sizeof *s);
  if (!s) return 1;
  init_shared_mutex(&s->lock);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&s->cond, &ca);
  sem_init(&s->sem, 1, 0);
  if (!is(mode, "unnamed")) threadlens_name_variable(&s->data, sizeof s->data, "data");
  snprintf(name, sizeof name, "/threadlens-test-%d", (int)getpid());
  sem_t* named = SEM_FAILED;
  long* file_data = NULL;
  if (is(mode, "named-sem") || is(mode, "named-sem-race")) {
    named = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (named == SEM_FAILED) return 1;
  }
  if (is(mode, "shm-open") || is(mode, "shm-open-race")) {
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
    file_data = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (file_data == MAP_FAILED) return 1;
    threadlens_name_variable(&file_data[1], sizeof file_data[1], "data");
  }
  if (is(mode, "sysv-shm") || is(mode, "sysv-shm-race")) {
    segment = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (segment < 0) return 1;
    file_data = shmat(segment, NULL, 0);
    if (file_data == (void*)-1) return 1;
    threadlens_name_variable(&file_data[1], sizeof file_data[1], "data");
  }
  if (is(mode, "sysv-sem") || is(mode, "sysv-sem-race")) {
    sems = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (sems < 0) return 1;
  }
  if (file_lock(mode)) {
    snprintf(lock_path, sizeof lock_path, "/tmp/threadlens-lock-%d", (int)getpid());
    int fd = open(lock_path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) return 1;
    close(fd);
  }
  snprintf(name_path, sizeof name_path, "/tmp/threadlens-name-%d", (int)getpid());
  if (is(mode, "socketpair")) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 1;
  } else if (pipe(fds) != 0) {
    return 1;
  }
  if (is(mode, "fork")) s->data = 1; /* before the fork: ordered */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) child(mode);

  if (is(mode, "fork-late") || is(mode, "unnamed") || is(mode, "pipe") || is(mode, "socketpair") ||
      is(mode, "sem") || is(mode, "sem-race") || is(mode, "named-sem") ||
      is(mode, "named-sem-race") || is(mode, "sysv-sem") || is(mode, "sysv-sem-race")) {
    s->data = 1;
  }
  if (file_data) file_data[1] = 7;
  if (is(mode, "pipe") || is(mode, "socketpair") || is(mode, "shm-open") ||
      is(mode, "sysv-shm")) {
    if (write(fds[1], "x", 1) != 1) return 1;
  }
  if (is(mode, "cond") || is(mode, "cond-race")) {
    pthread_mutex_lock(&s->lock);
    if (is(mode, "cond")) s->data = 1;
    s->ready = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    if (is(mode, "cond-race")) s->data = 1; /* after the unlock: the waiter may read it first */
  } else if (is(mode, "mutex")) {
    pthread_mutex_lock(&s->lock);
    s->data += 1;
    pthread_mutex_unlock(&s->lock);
  } else if (is(mode, "sem") || is(mode, "sem-race")) {
    sem_post(&s->sem);
  } else if (sems >= 0) {
    struct sembuf up = {0, 1, 0};
    semop(sems, &up, 1);
  } else if (named != SEM_FAILED) {
    sem_post(named);
  } else if (is(mode, "flock-exit")) {
    char byte;
    int fd = open(lock_path, O_RDWR);
    if (fd < 0 || read(fds[0], &byte, 1) != 1 || flock(fd, LOCK_EX) != 0) return 1;
    printf("parent saw %ld\n", s->data);
    close(fd);
  } else if (file_lock(mode)) {
    file_locked_add(mode, 0);
  } else if (file_name(mode)) {
    if (is(mode, "file-name")) s->data = 1;
    if (mkdir(name_path, 0700) != 0) return 1;
    if (is(mode, "file-name-race")) s->data = 1;
  } else if (is(mode, "no-wait")) {
    usleep(100 * 1000);
    printf("parent saw %ld\n", s->data); /* the child's write is not ordered before */
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (is(mode, "wait")) printf("parent saw %ld\n", s->data);
  if (named != SEM_FAILED) sem_unlink(name);
  if (file_lock(mode)) unlink(lock_path);
  if (file_name(mode)) rmdir(name_path);
  if (sems >= 0) semctl(sems, 0, IPC_RMID);
  if (segment >= 0) {
    shmdt(file_data);
    shmctl(segment, IPC_RMID, NULL);
  } else if (file_data) {
    shm_unlink(name);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
