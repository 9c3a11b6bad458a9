// Scenario shm_counter_lock: the fix of shm_counter_race. The shared page also holds a mutex
// made process-shared, and each process adds under it, so no update is lost.
//
// STORY: the same two processes, each counter += 1 under a PTHREAD_PROCESS_SHARED mutex
// EXPECT: clean
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

constexpr int kIncrements = 20000;

struct Shared {
  pthread_mutex_t lock;
  long counter;
};

void Increment(Shared* s) {
  for (int i = 0; i < kIncrements; ++i) {
    pthread_mutex_lock(&s->lock);
    s->counter += 1;
    pthread_mutex_unlock(&s->lock);
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
  pthread_mutex_init(&s->lock, &attr);
  threadlens_name_lock(&s->lock, "counter_lock");
  threadlens_name_variable(&s->counter, sizeof s->counter, "counter");

  pid_t child = fork();
  if (child == 0) {
    Increment(s);
    _exit(0);
  }
  Increment(s);
  waitpid(child, nullptr, 0);
  std::printf("counter = %ld (expected %d)\n", s->counter, 2 * kIncrements);
  return 0;
}
