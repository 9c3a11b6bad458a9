/* Deadlocks through readiness waits (poll, select, epoll_wait), and their twins that end.
 * Parent and child talk over a socket pair, as event loops do: each waits until its socket is
 * readable, then reads. The parent's loop also watches a "quit" pipe whose write end the child
 * holds. Modes "WAIT-both": both wait to hear first, where WAIT is poll, select or epoll: a
 * deadlock (the child, which could write either descriptor, waits too). Twins:
 *   "WAIT-talk": the child speaks first;
 *   "poll-timeout": both wait with a time limit (1.5 s), which ends the waits;
 *   "poll-woken": the parent's loop watches a pipe of a third process instead of the quit
 *     pipe, which wakes it after a sleep; then the parent speaks first. (The parent's wait
 *     on the socket alone would be part of a deadlock: any of the wait's ends may end it.)
 *   "poll-own": one process polls two pipes whose write ends only it holds (a hang; twin:
 *     "poll-own-closed", where it closes one write end first, and the poll sees the end).
 *   "poll-sigterm": one process polls its self-pipe, which its SIGTERM handler writes, and
 *     no one sends the signal (a hang, but only after the watchdog's delay: a signal from
 *     outside may yet come; twin: "poll-sigterm-sent", where a child sends it after a second).
 *   "poll-sigchld": the self-pipe trick: the parent's SIGCHLD handler writes a pipe only the
 *     parent holds, and its loop polls that pipe until a child that works for a while ends. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum wait_kind { kPoll, kSelect, kEpoll };

/* Waits until one of fds[0..n) is readable; -1 on an error, 0 when the time ran out. */
static int wait_readable(enum wait_kind kind, const int* fds, int n, int timeout_ms) {
  if (kind == kPoll) {
    struct pollfd p[2];
    for (int i = 0; i < n; ++i) p[i] = (struct pollfd){fds[i], POLLIN, 0};
    return poll(p, (nfds_t)n, timeout_ms);
  }
  if (kind == kSelect) {
    fd_set set;
    FD_ZERO(&set);
    int top = 0;
    for (int i = 0; i < n; ++i) {
      FD_SET(fds[i], &set);
      if (fds[i] >= top) top = fds[i] + 1;
    }
    return select(top, &set, NULL, NULL, NULL);
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < n; ++i) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  struct epoll_event out[2];
  int r = epoll_wait(ep, out, 2, -1);
  close(ep);
  return r;
}

static int run(enum wait_kind kind, const char* how) {
  const int talk = !strcmp(how, "talk"), timeout = !strcmp(how, "timeout");
  const int woken = !strcmp(how, "woken");
  int sv[2], quit[2], wake[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(quit) != 0 || pipe(wake) != 0) {
    return 1;
  }
  const int limit = timeout ? 1500 : -1;
  pid_t pid = fork();
  if (pid < 0) return 1;
  char b[16];
  if (pid == 0) {
    close(sv[0]);
    close(quit[0]);
    close(wake[0]);
    close(wake[1]);
    if (talk && send(sv[1], "ping", 4, 0) != 4) _exit(1);
    const int r = wait_readable(kind, &sv[1], 1, limit);
    if (r > 0 && recv(sv[1], b, sizeof b, 0) <= 0) _exit(1);
    if (r > 0 && !talk) send(sv[1], "pong", 4, 0);
    _exit(r < 0 ? 1 : 0);
  }
  close(sv[1]);
  close(quit[1]);
  pid_t waker = -1;
  if (woken && (waker = fork()) == 0) {
    close(sv[0]);
    close(quit[0]);
    close(wake[0]);
    struct timespec ts = {1, 500000000};
    nanosleep(&ts, NULL);
    _exit(write(wake[1], "w", 1) == 1 ? 0 : 1);
  }
  close(wake[1]);
  const int fds[2] = {sv[0], woken ? wake[0] : quit[0]};
  int r = wait_readable(kind, fds, 2, limit);
  if (woken) {
    waitpid(waker, NULL, 0);
    send(sv[0], "ping", 4, 0);
    r = wait_readable(kind, &sv[0], 1, -1);
  }
  if (r > 0) recv(sv[0], b, sizeof b, 0);
  if (talk) send(sv[0], "pong", 4, 0);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", r);
  return r >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int own(int close_one) {
  int a[2], b[2];
  if (pipe(a) != 0 || pipe(b) != 0) return 1;
  if (close_one) close(b[1]);
  struct pollfd p[2] = {{a[0], POLLIN, 0}, {b[0], POLLIN, 0}};
  const int r = poll(p, 2, -1);
  printf("%d\n", r);
  return r == 1 ? 0 : 1;
}

static int self_pipe[2];

static void child_ended(int sig) {
  (void)sig;
  write(self_pipe[1], "c", 1);
}

static void terminated(int sig) {
  (void)sig;
  write(self_pipe[1], "t", 1);
}

static int sigterm(int sent) {
  if (pipe(self_pipe) != 0) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = terminated;
  sigaction(SIGTERM, &sa, NULL);
  const pid_t parent = getpid();
  pid_t pid = -1;
  if (sent && (pid = fork()) == 0) {
    close(self_pipe[0]);
    close(self_pipe[1]);
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
    _exit(kill(parent, SIGTERM) == 0 ? 0 : 1);
  }
  struct pollfd p = {self_pipe[0], POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, -1);
  } while (r < 0);
  if (pid > 0) waitpid(pid, NULL, 0);
  printf("%d\n", r);
  return r == 1 ? 0 : 1;
}

static int sigchld(void) {
  if (pipe(self_pipe) != 0) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = child_ended;
  sigaction(SIGCHLD, &sa, NULL);
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    close(self_pipe[0]);
    close(self_pipe[1]);
    struct timespec ts = {1, 500000000};
    nanosleep(&ts, NULL);
    _exit(0);
  }
  struct pollfd p = {self_pipe[0], POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, -1);
  } while (r < 0);
  waitpid(pid, NULL, 0);
  printf("%d\n", r);
  return r == 1 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "poll-talk";
  if (!strcmp(mode, "poll-sigchld")) return sigchld();
  if (!strcmp(mode, "poll-sigterm")) return sigterm(0);
  if (!strcmp(mode, "poll-sigterm-sent")) return sigterm(1);
  if (!strcmp(mode, "poll-own")) return own(0);
  if (!strcmp(mode, "poll-own-closed")) return own(1);
  const char* dash = strchr(mode, '-');
  if (!dash) return 2;
  const enum wait_kind kind = !strncmp(mode, "poll", 4)     ? kPoll
                              : !strncmp(mode, "select", 6) ? kSelect
                                                            : kEpoll;
  return run(kind, dash + 1);
}
