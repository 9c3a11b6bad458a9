// The twin of race_libc_ids_signals: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

// Apart: the compiler would merge the writer's stores to neighbours into one.
alignas(64) int policy;
alignas(64) sched_param thread_param;
alignas(64) sched_param process_param;
alignas(64) clockid_t cpu_clock;
uid_t real_uid, effective_uid, saved_uid;
gid_t real_gid, effective_gid, saved_gid;
stack_t old_stack;
struct sigaction old_action;
itimerspec timer_now, timer_old, timer_disarmed;

int main() {
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, nullptr, &timer) != 0) return 1;
  std::thread writer([] {
    policy = -1;
    thread_param.sched_priority = -1;
    process_param.sched_priority = -1;
    cpu_clock = 0;
    saved_uid = 0;
    saved_gid = 0;
    old_stack.ss_flags = -1;
    old_action.sa_flags = -1;
    timer_now.it_value.tv_sec = -1;
    timer_old.it_value.tv_sec = -1;
  });
  writer.join();
  long sum = pthread_getschedparam(pthread_self(), &policy, &thread_param);
  sum += sched_getparam(0, &process_param);
  sum += pthread_getcpuclockid(pthread_self(), &cpu_clock);
  sum += getresuid(&real_uid, &effective_uid, &saved_uid);
  sum += getresgid(&real_gid, &effective_gid, &saved_gid);
  sum += sigaltstack(nullptr, &old_stack);
  sum += sigaction(SIGUSR2, nullptr, &old_action);
  sum += timer_gettime(timer, &timer_now);
  sum += timer_settime(timer, 0, &timer_disarmed, &timer_old);
  timer_delete(timer);
  std::printf("%d %d %d\n", sum != 0, policy, old_stack.ss_flags);
}
