// The twin of clean_connect_accept: the client writes the value after it connected, so the
// accept orders nothing about it. ThreadSanitizer (clang 14) agrees: a race on config.
// CHECK: race config
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int listener;
static struct sockaddr_in where;
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
  listener = socket(AF_INET, SOCK_STREAM, 0);
  where.sin_family = AF_INET;
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof where;
  if (bind(listener, (struct sockaddr*)&where, sizeof where) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr*)&where, &len) != 0) {
    return 1;
  }
  pthread_t server;
  pthread_create(&server, NULL, Server, NULL);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr*)&where, sizeof where) != 0) return 1;
  config = 42;  // RACE
  atomic_store_explicit(&prepared, 1, memory_order_relaxed);
  pthread_join(server, NULL);
  close(s);
  close(listener);
  return 0;
}
