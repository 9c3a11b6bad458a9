// Signal sets shared between threads: main fills, changes and tests sets and installs a mask
// while a worker stores into the same sets. sigemptyset, sigfillset, sigaddset, sigdelset
// and sigandset write the set, sigismember and sigisemptyset read it, sigprocmask and
// pthread_sigmask read the new mask and write the old one, and sigtimedwait reads its set and
// timeout. (ThreadSanitizer, clang 14, sees sigemptyset, sigfillset and sigprocmask's old
// mask only.)
// CHECK: race emptied
// CHECK: race filled
// CHECK: race added
// CHECK: race removed
// CHECK: race tested
// CHECK: race checked
// CHECK: race both
// CHECK: race old_process_mask
// CHECK: race wanted
// CHECK: race old_thread_mask
// CHECK: race waited_for
// CHECK: race no_wait.tv_nsec
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
    emptied.__val[0] = 1;  // RACE
    filled.__val[0] = 1;  // RACE
    added.__val[0] = 1;  // RACE
    removed.__val[0] = 1;  // RACE
    tested.__val[0] = 1;  // RACE
    checked.__val[0] = 1;  // RACE
    both.__val[0] = 1;  // RACE
    old_process_mask.__val[0] = 1;  // RACE
    wanted.__val[0] = 1;  // RACE
    old_thread_mask.__val[0] = 1;  // RACE
    waited_for.__val[0] = 1;  // RACE
    no_wait.tv_nsec = 0;  // RACE
  });
  int sum = sigemptyset(&emptied);  // RACE
  sum += sigfillset(&filled);  // RACE
  sum += sigaddset(&added, SIGUSR1);  // RACE
  sum += sigdelset(&removed, SIGUSR1);  // RACE
  sum += sigismember(&tested, SIGUSR1);  // RACE
  sum += sigisemptyset(&checked);  // RACE
  sum += sigandset(&both, &blocked, &blocked);  // RACE
  sum += sigprocmask(SIG_BLOCK, nullptr, &old_process_mask);  // RACE
  sum += pthread_sigmask(SIG_BLOCK, &wanted, &old_thread_mask);  // RACE
  sum += sigtimedwait(&waited_for, nullptr, &no_wait);  // RACE
  worker.join();
  std::printf("%d\n", sum);
}
