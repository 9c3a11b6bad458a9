// Scenario pipe_read_first_procs: the fix of pipe_wait_first_procs. The parent reads the
// child's report to its end (the child's exit closes the write end), then waits for the
// child: the pipe never stays full, and the wait returns at once.
//
// STORY: the parent reads the report its child writes to a pipe to the end, then waits for it
// EXPECT: clean
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "report_pipe.h"

int main() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1;
  const pid_t renderer = StartRenderer(pipe_fds);
  const size_t bytes = ReadReport(pipe_fds[0]);  // to the end: the child has closed its end
  int status = 0;
  waitpid(renderer, &status, 0);
  std::printf("report: %zu bytes\n", bytes);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
