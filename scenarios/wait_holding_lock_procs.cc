// Scenario wait_holding_lock_procs: the parent forks a child to write the day's summary into a
// shared log, then waits for it, still holding the log's process-shared log_lock, which the
// child needs for its line. The child waits for the lock, the parent for the child: neither
// goes on. The watchdogs see the cycle through the wait and end both at once; the recording
// holds both sides. The fix is wait_after_unlock_procs.cc: give the lock up before waiting.
//
// STORY: the parent holds log_lock and waits for its child; the child waits for log_lock
// EXPECT: deadlock locks=log_lock
// WATCHDOG: 1
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
  pthread_mutex_unlock(&log->log_lock);
}

void WriteSummary(Log* log) { WriteLine(log, "summary of the day"); }

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

  pthread_mutex_lock(&log->log_lock);
  log->lines += 1;
  std::printf("log: closing the day\n");
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    WriteSummary(log);
    _exit(0);
  }
  waitpid(child, nullptr, 0);  // still holding log_lock
  pthread_mutex_unlock(&log->log_lock);
  std::printf("%d lines\n", log->lines);
  return 0;
}
