// Scenario socket_server_greets_procs: the fix of socket_both_wait_procs. The server speaks
// first, with its greeting, and then waits for the client's hello: each read has a write on
// the other side to wait for.
//
// STORY: the server greets its client over a socket pair first, then hears the client's hello
// EXPECT: clean
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "socket_greeting.h"

int main() {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) return 1;
  const pid_t client = StartClient(ends);  // waits for the greeting first
  char request[128];
  const bool heard = Say(ends[0], "220 ready\n") && Hear(ends[0], request, sizeof request);
  int status = 0;
  waitpid(client, &status, 0);
  std::printf("request: %s", heard ? request : "(none)\n");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
