// The client prepares a value, then connects over TCP on the loopback; the server thread
// reads the value once accept() returned the connection. No byte crosses it, yet accept
// cannot return before the connect was made: ordered. ThreadSanitizer (clang 14) agrees: no
// race.
// CHECK: no-race
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int listener;
static struct sockaddr_in where;
static int config;  // what the client prepares for the server

static void* Server(void* arg) {
  (void)arg;
  int c = accept(listener, NULL, NULL);
  printf("%d\n", config);
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
  config = 42;
  if (connect(s, (struct sockaddr*)&where, sizeof where) != 0) return 1;
  pthread_join(server, NULL);
  close(s);
  close(listener);
  return 0;
}
