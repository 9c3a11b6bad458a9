// The report of pipe_wait_first_procs and pipe_read_first_procs: rendered by a child into a
// pipe, read by its parent. The two scenarios differ only in when the parent waits.
#pragma once

#include <unistd.h>

#include <cstdio>

#include "fork_child.h"

// The child's side: today's report, 256 KiB of rows (four times a pipe's buffer), written
// to `out`.
inline void RenderReport(int out) {
  static char report[256 << 10];
  for (size_t at = 0; at + 64 <= sizeof report; at += 64) {
    std::snprintf(report + at, 64, "row %zu: all quiet", at / 64);
    report[at + 63] = '\n';
  }
  for (size_t done = 0; done < sizeof report;) {
    const ssize_t n = write(out, report + done, sizeof report - done);
    if (n <= 0) _exit(1);
    done += static_cast<size_t>(n);
  }
}

// Forks the renderer: it writes today's report into `fds[1]` and ends. The parent keeps
// `fds[0]`, the read end.
inline pid_t StartRenderer(const int (&fds)[2]) {
  return ForkChild(fds, [](int out) {
    RenderReport(out);
    return 0;
  });
}

// The parent's side: the report's bytes, read to end of file.
inline size_t ReadReport(int in) {
  char buf[4096];
  size_t total = 0;
  for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;) total += static_cast<size_t>(n);
  return total;
}
