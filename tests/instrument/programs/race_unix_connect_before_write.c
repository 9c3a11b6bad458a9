// The twin of clean_unix_connect_accept: the client writes the value after it connected.
// ThreadSanitizer (clang 14) agrees: a race on config.
// CHECK: race config
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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
static atomic_int prepared;

static void* Server(void* arg) {
  (void)arg;
  int c = accept(listener, NULL, NULL);
  // The write came first in time; the relaxed flag orders nothing.
  while (!atomic_load_explicit(&prepared, memory_order_relaxed)) sched_yield();
  printf("%d\n", config);  // RACE
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
  if (connect(s, (struct sockaddr*)&where, where_len) != 0) return 1;
  config = 42;  // RACE
  atomic_store_explicit(&prepared, 1, memory_order_relaxed);
  pthread_join(server, NULL);
  close(s);
  close(listener);
  return 0;
}
