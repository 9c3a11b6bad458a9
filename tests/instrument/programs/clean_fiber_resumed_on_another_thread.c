// A task on a fiber of its own runs a step on the main thread, then a worker thread resumes
// it for its next step (fibers move between threads, as a coroutine scheduler's do). Each
// switch orders the fiber against the thread that resumed it, and the worker's end orders
// it before main's join: main's read of `steps` follows both of the task's writes. The twin
// of race_fiber_resumed_on_another_thread_without_sync.c.
// CHECK: no-race
// CHECK: no-misuse
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
    ++steps;
    __tsan_switch_to_fiber(resumer_fiber, 0);
    swapcontext(&task_ctx, &resumer_ctx);
  }
}

static void Resume(unsigned flags) {
  resumer_fiber = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(task_fiber, flags);
  swapcontext(&resumer_ctx, &task_ctx);
}

static void* Worker(void* arg) {
  Resume(0);
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
  printf("steps %d\n", steps);
  __tsan_destroy_fiber(task_fiber);
  return 0;
}
