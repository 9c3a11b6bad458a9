// Scenario pipe_handoff_procs: a parent hands a report to the child it forked. It writes the
// report into shared memory, then sends its length through a pipe; the child reads the pipe
// before the report, so the write happens before the read. The broken variant is
// shm_flag_handoff.cc.
//
// STORY: a report in shared memory, its length sent through a pipe the child reads first
// EXPECT: clean
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "threadlens/threadlens.h"

namespace {

struct Shared {
  char report[64];
};

}  // namespace

int main() {
  auto* s = static_cast<Shared*>(
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (s == MAP_FAILED) return 1;
  threadlens_name_variable(s->report, sizeof s->report, "report");
  int fds[2];
  if (pipe(fds) != 0) return 1;

  pid_t child = fork();
  if (child == 0) {
    close(fds[1]);
    int length = 0;
    if (read(fds[0], &length, sizeof length) != sizeof length) _exit(1);
    char copy[64];
    std::memcpy(copy, s->report, sizeof copy);
    std::printf("child got %d bytes: %s\n", length, copy);
    _exit(0);
  }
  close(fds[0]);
  std::snprintf(s->report, sizeof s->report, "sales up 4%%");
  int length = static_cast<int>(std::strlen(s->report));
  if (write(fds[1], &length, sizeof length) != sizeof length) return 1;
  close(fds[1]);
  waitpid(child, nullptr, 0);
  return 0;
}
