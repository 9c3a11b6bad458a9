// Scenario printers_shared_lock: the tutorial's printers with processes. Three printer
// processes share one printer; a process-shared mutex in shared memory lets one print its
// whole item at a time. The second-lock variant that deadlocks is printers_two_locks.cc.
//
// STORY: three printer processes take turns with one process-shared printer_lock
// EXPECT: clean
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "threadlens/threadlens.h"

namespace {

struct Printer {
  pthread_mutex_t lock;
  int lines_printed;
};

void Print(Printer* p, const char* item) {
  pthread_mutex_lock(&p->lock);
  std::printf("printing %s\n", item);
  std::fflush(stdout);
  p->lines_printed += 1;
  pthread_mutex_unlock(&p->lock);
}

}  // namespace

int main() {
  auto* p = static_cast<Printer*>(
      mmap(nullptr, sizeof(Printer), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) return 1;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&p->lock, &attr);
  threadlens_name_lock(&p->lock, "printer_lock");
  threadlens_name_variable(&p->lines_printed, sizeof p->lines_printed, "lines_printed");

  const char* items[] = {"tango", "salsa", "rumba"};
  pid_t printers[3];
  for (int i = 0; i < 3; ++i) {
    printers[i] = fork();
    if (printers[i] == 0) {
      Print(p, items[i]);
      _exit(0);
    }
  }
  for (pid_t pid : printers) waitpid(pid, nullptr, 0);
  std::printf("%d items printed\n", p->lines_printed);
  return 0;
}
