// Scenario pipe_wait_first_procs: the parent forks a child to render a report and send it back
// through a pipe, then waits for the child to finish before it reads the report. A short report
// fits the pipe's buffer (64 KiB on Linux) and this works; today's is 256 KiB. The child's
// write waits for room, which only the parent's read would make, and the parent waits for the
// child to end: neither goes on. The watchdogs see both processes blocked on each other (the
// parent holds the pipe's read end) and end them at once. The fix is
// pipe_read_first_procs.cc: read the report to its end, then wait.
//
// STORY: the parent waits for its child before reading the report the child writes to a pipe
// EXPECT: deadlock
// WATCHDOG: 1
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "report_pipe.h"

int main() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1;
  const pid_t renderer = StartRenderer(pipe_fds);
  int status = 0;
  waitpid(renderer, &status, 0);  // before reading: the report no longer fits the pipe
  const size_t bytes = ReadReport(pipe_fds[0]);
  std::printf("report: %zu bytes\n", bytes);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
