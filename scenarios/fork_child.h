// A child process on one end of a pipe or socket pair, for the scenarios across processes.
#pragma once

#include <sys/types.h>
#include <unistd.h>

// Forks a child that runs `body(ends[1])` and ends with its status; the parent keeps `ends[0]`
// (closing its copy of `ends[1]`) and gets the child's pid.
template <typename Body>
pid_t ForkChild(const int (&ends)[2], Body body) {
  const pid_t child = fork();
  if (child != 0) {
    close(ends[1]);
    return child;
  }
  close(ends[0]);
  _exit(body(ends[1]));
}
