// clean_connect_accept over a Unix socket with an abstract name: the accept is ordered after
// the connect to that name. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listener;
static struct sockaddr_un where;
static socklen_t where_len;
static int config;  // what the client prepares for the server

static void* Server(void* arg) {
  (void)arg;
  int c = accept(listener, NULL, NULL);
  printf("%d\n", config);
  close(c);
  return NULL;
}

int main(void) {
  // An abstract name (a leading 0 byte): nothing in the file system to clean up.
  where.sun_family = AF_UNIX;
  snprintf(where.sun_path + 1, sizeof where.sun_path - 1, "threadlens-test-%d", (int)getpid());
  where_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(where.sun_path + 1));
  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (bind(listener, (struct sockaddr*)&where, where_len) != 0 || listen(listener, 1) != 0) {
    return 1;
  }
  pthread_t server;
  pthread_create(&server, NULL, Server, NULL);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  config = 42;
  if (connect(s, (struct sockaddr*)&where, where_len) != 0) return 1;
  pthread_join(server, NULL);
  close(s);
  close(listener);
  return 0;
}
