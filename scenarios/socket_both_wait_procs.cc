// Scenario socket_both_wait_procs: a server forks a client and talks to it over a socket pair.
// The client waits for the server's greeting before it says hello, as a client of SMTP or FTP
// does; the server, written as if it spoke HTTP, waits for the client's request before it says
// anything. Each side reads first, and neither ever writes. The watchdogs see both processes
// blocked on each other (each holds the socket the other waits on) and end them at once. The
// fix is socket_server_greets_procs.cc: one side speaks first, as the protocol says.
//
// STORY: a server and its client each wait for the other to speak first over a socket pair
// EXPECT: deadlock
// WATCHDOG: 1
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "socket_greeting.h"

int main() {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) return 1;
  const pid_t client = StartClient(ends);  // waits for the greeting first
  char request[128];
  const bool heard = Hear(ends[0], request, sizeof request);  // waits for the client first
  if (heard) Say(ends[0], "220 ready\n");
  int status = 0;
  waitpid(client, &status, 0);
  std::printf("request: %s", heard ? request : "(none)\n");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
