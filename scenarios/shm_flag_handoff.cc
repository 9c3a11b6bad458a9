// Scenario shm_flag_handoff: pipe_handoff_procs without the pipe. The parent writes the report
// and then sets a plain `ready` flag in the same shared memory; the child spins until it sees
// the flag and reads the report. Nothing orders the two processes' accesses: the compiler and
// the CPU may reorder the flag and the report. The fix is pipe_handoff_procs.cc.
//
// STORY: the parent sets a plain ready flag after the report; the child spins on it, reads
// EXPECT: race variables=ready
// EXPECT: race variables=report
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "threadlens/threadlens.h"

namespace {

struct Shared {
  char report[64];
  int ready;
};

}  // namespace

int main() {
  auto* s = static_cast<Shared*>(
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (s == MAP_FAILED) return 1;
  threadlens_name_variable(s->report, sizeof s->report, "report");
  threadlens_name_variable(&s->ready, sizeof s->ready, "ready");

  pid_t child = fork();
  if (child == 0) {
    while (*static_cast<volatile int*>(&s->ready) == 0) sched_yield();
    char copy[64];
    std::memcpy(copy, s->report, sizeof copy);
    std::printf("child got: %s\n", copy);
    _exit(0);
  }
  std::snprintf(s->report, sizeof s->report, "sales up 4%%");
  *static_cast<volatile int*>(&s->ready) = 1;
  waitpid(child, nullptr, 0);
  return 0;
}
