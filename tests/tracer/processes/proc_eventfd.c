/* Waits on an eventfd that nothing will write, and their twins that end. An eventfd is a pipe
 * whose two ends are one descriptor: a read (or a readiness wait for it to turn readable)
 * waits until some holder writes it. Modes:
 *   "read-own": the only thread reads an eventfd only its process holds (a hang);
 *   "lock-read": main holds a mutex and reads the eventfd; the worker that would write it
 *     waits for that mutex first (a deadlock; twin "unlock-read": main unlocks first);
 *   "poll-own", "epoll-own": the only thread waits in poll (epoll_wait) for the eventfd to
 *     turn readable (a hang; twins "poll-written", "epoll-written": a worker writes it after
 *     1.5 s of sleep);
 *   "fork-wait": the parent waits for its child, which reads the eventfd the parent writes
 *     only after (a deadlock across processes; twin "fork-write": the parent writes first);
 *   "nonblock": a non-blocking eventfd read in a loop until a worker writes it after a sleep
 *     (no wait at all). */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int efd;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void nap(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void* writer_after_lock(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  eventfd_write(efd, 1);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void* writer_after_sleep(void* arg) {
  (void)arg;
  nap(1500);
  eventfd_write(efd, 1);
  return NULL;
}

static int lock_read(int unlock_first) {
  pthread_mutex_lock(&mu);
  pthread_t t;
  pthread_create(&t, NULL, writer_after_lock, NULL);
  nap(100);  // the worker is waiting for the mutex
  if (unlock_first) pthread_mutex_unlock(&mu);
  eventfd_t v = 0;
  const int r = eventfd_read(efd, &v);
  if (!unlock_first) pthread_mutex_unlock(&mu);
  pthread_join(t, NULL);
  printf("%d %llu\n", r, (unsigned long long)v);
  return r == 0 && v == 1 ? 0 : 1;
}

/* Waits for the eventfd to turn readable, in poll or epoll_wait, with a worker that writes it
 * after a sleep when `written`. */
static int ready_wait(int use_epoll, int written) {
  pthread_t t;
  if (written) pthread_create(&t, NULL, writer_after_sleep, NULL);
  int r;
  if (use_epoll) {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    struct epoll_event out;
    r = epoll_wait(ep, &out, 1, -1);
    close(ep);
  } else {
    struct pollfd p = {efd, POLLIN, 0};
    r = poll(&p, 1, -1);
  }
  if (written) pthread_join(t, NULL);
  printf("%d\n", r);
  return r == 1 ? 0 : 1;
}

static int fork_wait(int write_first) {
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    eventfd_t v = 0;
    _exit(eventfd_read(efd, &v) == 0 && v == 7 ? 0 : 1);
  }
  if (write_first) eventfd_write(efd, 7);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!write_first) eventfd_write(efd, 7);
  printf("%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int nonblock(void) {
  pthread_t t;
  pthread_create(&t, NULL, writer_after_sleep, NULL);
  eventfd_t v = 0;
  int tries = 0;
  while (eventfd_read(efd, &v) != 0) {
    ++tries;
    nap(50);
  }
  pthread_join(t, NULL);
  printf("%llu %d\n", (unsigned long long)v, tries > 0);
  return v == 1 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "unlock-read";
  efd = eventfd(0, EFD_CLOEXEC | (!strcmp(mode, "nonblock") ? EFD_NONBLOCK : 0));
  if (efd < 0) return 1;
  if (!strcmp(mode, "read-own")) {
    eventfd_t v = 0;
    return eventfd_read(efd, &v) == 0 ? 0 : 1;
  }
  if (!strcmp(mode, "lock-read")) return lock_read(0);
  if (!strcmp(mode, "unlock-read")) return lock_read(1);
  if (!strcmp(mode, "poll-own")) return ready_wait(0, 0);
  if (!strcmp(mode, "poll-written")) return ready_wait(0, 1);
  if (!strcmp(mode, "epoll-own")) return ready_wait(1, 0);
  if (!strcmp(mode, "epoll-written")) return ready_wait(1, 1);
  if (!strcmp(mode, "fork-wait")) return fork_wait(0);
  if (!strcmp(mode, "fork-write")) return fork_wait(1);
  if (!strcmp(mode, "nonblock")) return nonblock();
  return 2;
}
