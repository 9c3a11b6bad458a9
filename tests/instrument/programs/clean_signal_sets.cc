// The twin of race_signal_sets: the same calls after the join that orders the worker's
// stores before them.
// CHECK: no-race
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cstdio>
#include <thread>

sigset_t emptied, filled, added, removed, tested, checked, both, old_process_mask, wanted,
    old_thread_mask, waited_for;
timespec no_wait;

int main() {
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR2);
  std::thread worker([] {
    emptied.__val[0] = 1;
    filled.__val[0] = 1;
    added.__val[0] = 1;
    removed.__val[0] = 1;
    tested.__val[0] = 1;
    checked.__val[0] = 1;
    both.__val[0] = 1;
    old_process_mask.__val[0] = 1;
    wanted.__val[0] = 1;
    old_thread_mask.__val[0] = 1;
    waited_for.__val[0] = 1;
    no_wait.tv_nsec = 0;
  });
  worker.join();
  int sum = sigemptyset(&emptied);
  sum += sigfillset(&filled);
  sum += sigaddset(&added, SIGUSR1);
  sum += sigdelset(&removed, SIGUSR1);
  sum += sigismember(&tested, SIGUSR1);
  sum += sigisemptyset(&checked);
  sum += sigandset(&both, &blocked, &blocked);
  sum += sigprocmask(SIG_BLOCK, nullptr, &old_process_mask);
  sum += pthread_sigmask(SIG_BLOCK, &wanted, &old_thread_mask);
  sum += sigtimedwait(&waited_for, nullptr, &no_wait);
  std::printf("%d\n", sum);
}
