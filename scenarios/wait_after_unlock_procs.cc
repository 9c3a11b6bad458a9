// Scenario wait_after_unlock_procs: the fix of wait_holding_lock_procs. The parent gives
// log_lock up before it waits for its child, so the child writes its line and ends, and the
// parent's wait returns. The lock also orders the two processes' updates of the line count.
//
// STORY: the parent unlocks log_lock, then waits for its child, which writes its line under it
// EXPECT: clean
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

struct Log {
  pthread_mutex_t log_lock;
  int lines;
};

void WriteLine(Log* log, const char* text) {
  pthread_mutex_lock(&log->log_lock);
  log->lines += 1;
  std::printf("log: %s\n", text);
  std::fflush(stdout);
  pthread_mutex_unlock(&log->log_lock);
}

}  // namespace

int main() {
  auto* log = static_cast<Log*>(
      mmap(nullptr, sizeof(Log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (log == MAP_FAILED) return 1;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&log->log_lock, &attr);
  threadlens_name_lock(&log->log_lock, "log_lock");

  WriteLine(log, "closing the day");
  pid_t child = fork();
  if (child == 0) {
    WriteLine(log, "summary of the day");
    _exit(0);
  }
  waitpid(child, nullptr, 0);  // the child's line happens before the wait returns
  std::printf("%d lines\n", log->lines);
  return 0;
}
