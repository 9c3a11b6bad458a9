// Calls that fill the caller's memory with a thread's or the process's settings, each racing
// a plain write of another thread: pthread_getschedparam (policy and parameters),
// sched_getparam, pthread_getcpuclockid, getresuid and getresgid, sigaltstack and sigaction
// (the old values), timer_gettime and timer_settime (the old value). (ThreadSanitizer, clang
// 14, sees pthread_getschedparam, getresuid, getresgid and sigaltstack, not the others.)
// CHECK: race policy
// CHECK: race thread_param.sched_priority
// CHECK: race process_param.sched_priority
// CHECK: race cpu_clock
// CHECK: race saved_uid
// CHECK: race saved_gid
// CHECK: race old_stack.ss_flags
// CHECK: race old_action.sa_flags
// CHECK: race timer_now.it_value.tv_sec
// CHECK: race timer_old.it_value.tv_sec
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
    policy = -1;  // RACE
    thread_param.sched_priority = -1;  // RACE
    process_param.sched_priority = -1;  // RACE
    cpu_clock = 0;  // RACE
    saved_uid = 0;  // RACE
    saved_gid = 0;  // RACE
    old_stack.ss_flags = -1;  // RACE
    old_action.sa_flags = -1;  // RACE
    timer_now.it_value.tv_sec = -1;  // RACE
    timer_old.it_value.tv_sec = -1;  // RACE
  });
  long sum = pthread_getschedparam(pthread_self(), &policy, &thread_param);  // RACE
  sum += sched_getparam(0, &process_param);  // RACE
  sum += pthread_getcpuclockid(pthread_self(), &cpu_clock);  // RACE
  sum += getresuid(&real_uid, &effective_uid, &saved_uid);  // RACE
  sum += getresgid(&real_gid, &effective_gid, &saved_gid);  // RACE
  sum += sigaltstack(nullptr, &old_stack);  // RACE
  sum += sigaction(SIGUSR2, nullptr, &old_action);  // RACE
  sum += timer_gettime(timer, &timer_now);  // RACE
  sum += timer_settime(timer, 0, &timer_disarmed, &timer_old);  // RACE
  writer.join();
  timer_delete(timer);
  std::printf("%d\n", sum != 0);
}
