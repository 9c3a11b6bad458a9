// Scenario worker_pool_procs: a pool of three worker processes fed through one pipe. The
// parent writes twelve task numbers and closes the pipe; each worker reads tasks until the
// pipe ends, writes each task's result to that task's slot of shared memory and adds to the
// shared total under a process-shared mutex. The parent reads the results after waiting for
// every worker.
//
// STORY: three worker processes fed through one pipe; the total under a process-shared lock
// EXPECT: clean
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

constexpr int kTasks = 12;
constexpr int kWorkers = 3;

struct Shared {
  pthread_mutex_t total_lock;
  long total;
  long results[kTasks];
};

void Work(Shared* s, int tasks) {
  int task = 0;
  while (read(tasks, &task, sizeof task) == sizeof task) {
    long result = static_cast<long>(task) * task;
    s->results[task] = result;
    pthread_mutex_lock(&s->total_lock);
    s->total += result;
    pthread_mutex_unlock(&s->total_lock);
  }
}

}  // namespace

int main() {
  auto* s = static_cast<Shared*>(
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (s == MAP_FAILED) return 1;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->total_lock, &attr);
  threadlens_name_lock(&s->total_lock, "total_lock");
  threadlens_name_variable(&s->total, sizeof s->total, "total");
  threadlens_name_variable(s->results, sizeof s->results, "results");
  int fds[2];
  if (pipe(fds) != 0) return 1;

  pid_t workers[kWorkers];
  for (pid_t& w : workers) {
    w = fork();
    if (w == 0) {
      close(fds[1]);
      Work(s, fds[0]);
      _exit(0);
    }
  }
  close(fds[0]);
  for (int task = 0; task < kTasks; ++task) {
    if (write(fds[1], &task, sizeof task) != sizeof task) return 1;
  }
  close(fds[1]);
  for (pid_t w : workers) waitpid(w, nullptr, 0);
  long sum = 0;
  for (long r : s->results) sum += r;
  std::printf("total %ld, sum of results %ld\n", s->total, sum);
  return 0;
}
