// The task of clean_fiber_resumed_on_another_thread.c, with the worker's switches marked
// no_sync: the task's second step runs on the worker's OS thread but is not ordered after
// the worker's write of `resumer_fiber`, nor before the worker's end, so main's read of
// `steps` after the join races with it. TSan reports the same two races.
// CHECK: race steps
// CHECK: race resumer_fiber
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <stdio.h>
#include <ucontext.h>

static char stack[64 * 1024] __attribute__((aligned(16)));
static ucontext_t task_ctx, resumer_ctx;
static void *task_fiber, *resumer_fiber;
static int steps;

static void Task(void) {
  for (;;) {
    ++steps;  // RACE
    __tsan_switch_to_fiber(resumer_fiber, __tsan_switch_to_fiber_no_sync);  // RACE
    swapcontext(&task_ctx, &resumer_ctx);
  }
}

static void Resume(unsigned flags) {
  resumer_fiber = __tsan_get_current_fiber();  // RACE
  __tsan_switch_to_fiber(task_fiber, flags);
  swapcontext(&resumer_ctx, &task_ctx);
}

static void* Worker(void* arg) {
  Resume(__tsan_switch_to_fiber_no_sync);
  return arg;
}

int main(void) {
  task_fiber = __tsan_create_fiber(0);
  getcontext(&task_ctx);
  task_ctx.uc_stack.ss_sp = stack;
  task_ctx.uc_stack.ss_size = sizeof stack;
  makecontext(&task_ctx, Task, 0);
  Resume(0);
  pthread_t worker;
  pthread_create(&worker, NULL, Worker, NULL);
  pthread_join(worker, NULL);
  printf("steps %d\n", steps);  // RACE
  __tsan_destroy_fiber(task_fiber);
  return 0;
}
