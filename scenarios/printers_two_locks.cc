// Scenario printers_two_locks: printers_shared_lock with a second shared lock, for the ink.
// The parent takes paper_lock then ink_lock, the child it forked ink_lock then paper_lock,
// each pausing in between: each process holds what the other waits for, and neither can go
// on. The watchdogs see the cycle across the processes and end both; the recording holds
// both sides. The fix is printers_shared_lock.cc (one lock) or one order for both.
//
// STORY: the parent holds paper_lock, wants ink_lock; its child holds ink_lock, wants paper_lock
// EXPECT: deadlock locks=paper_lock,ink_lock
// WATCHDOG: 1
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

struct Printer {
  pthread_mutex_t paper_lock;
  pthread_mutex_t ink_lock;
};

void Print(pthread_mutex_t* first, pthread_mutex_t* second, const char* item) {
  pthread_mutex_lock(first);
  usleep(200 * 1000);  // the other process takes its first lock meanwhile
  pthread_mutex_lock(second);
  std::printf("printing %s\n", item);
  pthread_mutex_unlock(second);
  pthread_mutex_unlock(first);
}

void InitShared(pthread_mutex_t* m, const char* name) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(m, &attr);
  threadlens_name_lock(m, name);
}

}  // namespace

int main() {
  auto* p = static_cast<Printer*>(
      mmap(nullptr, sizeof(Printer), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) return 1;
  InitShared(&p->paper_lock, "paper_lock");
  InitShared(&p->ink_lock, "ink_lock");

  pid_t child = fork();
  if (child == 0) {
    Print(&p->ink_lock, &p->paper_lock, "salsa");
    _exit(0);
  }
  Print(&p->paper_lock, &p->ink_lock, "tango");
  waitpid(child, nullptr, 0);
  return 0;
}
