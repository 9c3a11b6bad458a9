// Scenario shm_counter_race: counter_race with processes. The parent maps one page shared
// with the child it forks, and both add to the counter there with no lock, so increments are
// lost as they are between threads. The fix is shm_counter_lock.cc.
//
// STORY: a parent and its forked child do counter += 1 in shared memory with no lock
// EXPECT: race variables=counter
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

constexpr int kIncrements = 20000;

struct Shared {
  long counter;
};

void Increment(Shared* s) {
  for (int i = 0; i < kIncrements; ++i) {
    s->counter += 1;  // load, add, store: the other process's store can land in between
  }
}

}  // namespace

int main() {
  auto* s = static_cast<Shared*>(
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (s == MAP_FAILED) return 1;
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
