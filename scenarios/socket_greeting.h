// The two sides of socket_both_wait_procs and socket_server_greets_procs: a server and its
// client over a socket pair, each saying one line and hearing one. The two scenarios differ
// only in who speaks first.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstring>

#include "fork_child.h"

// Sends `line` whole; false when the other side is gone.
inline bool Say(int fd, const char* line) {
  const size_t n = std::strlen(line);
  for (size_t done = 0; done < n;) {
    const ssize_t w = send(fd, line + done, n - done, 0);
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  return true;
}

// Waits for the other side's line (up to its newline) into `buf`; false at its end.
inline bool Hear(int fd, char* buf, size_t size) {
  size_t got = 0;
  while (got + 1 < size) {
    const ssize_t r = recv(fd, buf + got, 1, 0);
    if (r <= 0) return false;
    if (buf[got++] == '\n') break;
  }
  buf[got] = 0;
  return true;
}

// Forks the client on `ends[1]`: it waits for the server's greeting ("220 ready"), then says
// hello and ends. The server keeps `ends[0]`.
inline pid_t StartClient(const int (&ends)[2]) {
  return ForkChild(ends, [](int end) {
    char greeting[128];
    if (!Hear(end, greeting, sizeof greeting)) return 1;
    return Say(end, "HELO client\n") ? 0 : 1;
  });
}
