/* Deadlocks through a socket pair, and their twins that end. Modes:
 *   "both-read-first": parent and child each wait for the other's message before they send
 *     their own (twin: "talk", where the child speaks first; and "timeout", where both wait
 *     with a receive timeout, which ends the wait).
 *   "own-peer": one process reads one socket of a pair while it still holds the other, which
 *     it never writes (twin: "peer-closed": it closes the other first, and the read sees the
 *     end).
 *   "tcp-both-read-first", "unix-both-read-first": the same talk over a connection the parent
 *     accepts and the child makes, on 127.0.0.1 or a Unix socket's name (twins: "tcp-talk",
 *     "unix-talk"). */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* One message each way on `fd`: first hear the other side, then answer, or the reverse.
 * 1: the wait timed out, or the other side ended first (its own wait timed out sooner). */
static int exchange(int fd, int listen_first, const char* what) {
  char b[64];
  if (!listen_first && send(fd, what, strlen(what), MSG_NOSIGNAL) < 0) return -1;
  ssize_t n = recv(fd, b, sizeof b, 0);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
  if (n == 0) return 1;
  if (listen_first && send(fd, what, strlen(what), MSG_NOSIGNAL) < 0) return -1;
  return 0;
}

static int pair(const char* mode) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  const int timeout = strcmp(mode, "timeout") == 0;
  const int child_first = strcmp(mode, "talk") != 0;
  if (timeout) {
    struct timeval tv = {1, 0};
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    close(sv[0]);
    _exit(exchange(sv[1], child_first, "ping") < 0 ? 1 : 0);
  }
  close(sv[1]);
  const int r = exchange(sv[0], 1, "pong");
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", r);
  return r >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* A listener on 127.0.0.1 (a port the kernel picks) or on a Unix socket's name; the child
 * connects to it, the parent accepts. */
static int connection(const char* mode) {
  const int unix_socket = !strncmp(mode, "unix-", 5);
  const int child_first = strstr(mode, "talk") == NULL;
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  socklen_t len;
  if (unix_socket) {
    /* An abstract name (a leading 0 byte): nothing is left behind when the watchdog ends. */
    struct sockaddr_un* u = (struct sockaddr_un*)&addr;
    u->sun_family = AF_UNIX;
    const int n = snprintf(u->sun_path + 1, sizeof u->sun_path - 1, "threadlens-test-%d",
                           (int)getpid());
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  } else {
    struct sockaddr_in* in = (struct sockaddr_in*)&addr;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *in;
  }
  int l = socket(addr.ss_family, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr*)&addr, len) != 0 || listen(l, 1) != 0 ||
      getsockname(l, (struct sockaddr*)&addr, &len) != 0) {
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    close(l);
    int c = socket(addr.ss_family, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr*)&addr, len) != 0) _exit(1);
    _exit(exchange(c, child_first, "ping") < 0 ? 1 : 0);
  }
  int a = accept(l, NULL, NULL);
  close(l);
  const int r = a < 0 ? -1 : exchange(a, 1, "pong");
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", r);
  return r >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int alone(int close_peer) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  if (close_peer) close(sv[1]);
  char b[16];
  ssize_t n = recv(sv[0], b, sizeof b, 0);
  printf("%zd\n", n);
  return n == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "talk";
  if (!strcmp(mode, "own-peer")) return alone(0);
  if (!strcmp(mode, "peer-closed")) return alone(1);
  if (!strncmp(mode, "tcp-", 4) || !strncmp(mode, "unix-", 5)) return connection(mode);
  return pair(mode);
}
