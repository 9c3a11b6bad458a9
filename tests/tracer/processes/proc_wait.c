/* A parent waits for its child to end while it holds a lock the child waits for: a deadlock
 * through the wait. Modes: "flock" (the parent's flock of a file the child opens again, waited
 * for by waitpid), "wait" (the same, waited for by wait: the only child), "waitid" and
 * "wait4" (by those), "system" and "pclose" (a shell's child, waited for inside the C library
 * through the shell), "mutex" (a process-shared mutex, waited for by waitpid). The twins end:
 * "released" gives the file's lock up before waitpid; "two-children" waits by wait while a
 * second child ends on its own, then gives the lock up (a wait for any of two children waits
 * for neither of them); "holder-thread": another thread of the parent gives the lock up while
 * the parent waits; "system-released" gives it up before system(). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared_memory.h"

static char path[64];

static int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 2; }

/* The child opens the file for itself: its lock waits for the parent's. Once it has opened
 * it, the name goes (a run the watchdog ends leaves nothing behind). */
static pid_t start_waiting_child(void) {
  int opened[2];
  if (pipe(opened) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    const int own = open(path, O_RDWR);
    if (own < 0 || write(opened[1], "", 1) != 1 || flock(own, LOCK_EX) != 0) _exit(1);
    flock(own, LOCK_UN);
    _exit(0);
  }
  char byte;
  if (pid < 0 || read(opened[0], &byte, 1) != 1) return -1;
  unlink(path);
  return pid;
}

static int with_mutex(void) {
  pthread_mutex_t* m = map_shared(sizeof *m);
  if (!m) return 1;
  init_shared_mutex(m);
  pthread_mutex_lock(m);
  pid_t pid = fork();
  if (pid == 0) {
    pthread_mutex_lock(m); /* waits for the parent */
    pthread_mutex_unlock(m);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0); /* waits for the child: a deadlock */
  pthread_mutex_unlock(m);
  return exit_code(status);
}

/* Each way of waiting in a function of its own: at -O1 the compiler merges like calls of
 * one function, and the merged call has no line. */
#define MODE static __attribute__((noinline)) int

MODE by_waitpid(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0); /* waits for the child: a deadlock */
  return exit_code(status);
}

MODE by_wait(void) {
  int status = 0;
  wait(&status); /* the only child: a deadlock */
  return exit_code(status);
}

MODE by_waitid(pid_t pid) {
  siginfo_t info;
  waitid(P_PID, (id_t)pid, &info, WEXITED); /* the same, by waitid */
  return info.si_code == CLD_EXITED ? info.si_status : 2;
}

MODE by_wait4(pid_t pid) {
  int status = 0;
  struct rusage usage;
  wait4(pid, &status, 0, &usage); /* the same, by wait4 */
  return exit_code(status);
}

MODE released(int fd, pid_t pid) {
  usleep(500 * 1000); /* past the watchdog's two polls */
  flock(fd, LOCK_UN);
  int status = 0;
  waitpid(pid, &status, 0);
  return exit_code(status);
}

MODE two_children(int fd, pid_t pid) {
  pid_t quick = fork();
  if (quick == 0) {
    usleep(500 * 1000);
    _exit(0);
  }
  int status = 0;
  if (wait(&status) != quick) return 3; /* the quick one ends first */
  flock(fd, LOCK_UN);
  waitpid(pid, &status, 0);
  return exit_code(status);
}

static int locked_fd;

static void* release_later(void* arg) {
  (void)arg;
  usleep(800 * 1000); /* past the watchdog's two polls */
  flock(locked_fd, LOCK_UN);
  return NULL;
}

/* Another thread of the parent gives the lock up while the parent waits: no deadlock. */
MODE holder_thread(int fd, pid_t pid) {
  locked_fd = fd;
  pthread_t t;
  pthread_create(&t, NULL, release_later, NULL);
  int status = 0;
  waitpid(pid, &status, 0);
  pthread_join(t, NULL);
  return exit_code(status);
}

/* The child a shell runs for system() and popen(): it takes the file's lock, which it names
 * and removes. */
static int lock_child(const char* file) {
  const int fd = open(file, O_RDWR);
  if (fd < 0) return 1;
  unlink(file);
  return flock(fd, LOCK_EX) == 0 ? 0 : 1;
}

/* The C library waits inside system() and pclose() for the shell, which waits for the child:
 * three processes on the cycle. "-released": the lock given up first. */
MODE by_system(int fd, const char* self, int released) {
  char command[256];
  snprintf(command, sizeof command, "%s lock-child %s", self, path);
  if (released) flock(fd, LOCK_UN);
  const int status = system(command);
  unlink(path);
  return exit_code(status);
}

MODE by_pclose(const char* self) {
  char command[256];
  snprintf(command, sizeof command, "%s lock-child %s", self, path);
  FILE* child = popen(command, "w");
  if (!child) return 1;
  return exit_code(pclose(child));
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "flock";
  if (strcmp(mode, "mutex") == 0) return with_mutex();
  if (strcmp(mode, "lock-child") == 0 && argc > 2) return lock_child(argv[2]);
  snprintf(path, sizeof path, "/tmp/threadlens-proc-wait-%d", (int)getpid());
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) return 1;
  if (strcmp(mode, "system") == 0) return by_system(fd, argv[0], 0);
  if (strcmp(mode, "system-released") == 0) return by_system(fd, argv[0], 1);
  if (strcmp(mode, "pclose") == 0) return by_pclose(argv[0]);
  pid_t pid = start_waiting_child();
  if (pid < 0) return 1;
  if (strcmp(mode, "two-children") == 0) return two_children(fd, pid);
  if (strcmp(mode, "released") == 0) return released(fd, pid);
  if (strcmp(mode, "holder-thread") == 0) return holder_thread(fd, pid);
  if (strcmp(mode, "wait") == 0) return by_wait();
  if (strcmp(mode, "waitid") == 0) return by_waitid(pid);
  if (strcmp(mode, "wait4") == 0) return by_wait4(pid);
  return by_waitpid(pid);
}
