// A fiber publishes the address of a local variable of its own (on the fiber's stack, here a
// heap block), then main writes it while the fiber still reads it, every switch marked
// no_sync: they race. The report names the variable as the fiber's local, not as the
// memory that holds the fiber's stack. (ThreadSanitizer, clang 14: the same race, the
// location named as a heap block.)
// CHECK: race local variable budget of Spend() on T2's stack
#include <sanitizer/tsan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

static ucontext_t main_ctx, fiber_ctx;
static void *main_fiber, *spender;
static int* volatile published;

static void Spend(void) {
  int budget = 10;  // RACE (main writes it with no order after this)
  published = &budget;
  for (;;) {
    __tsan_switch_to_fiber(main_fiber, __tsan_switch_to_fiber_no_sync);
    swapcontext(&fiber_ctx, &main_ctx);
    if (budget > 0) --budget;  // RACE
  }
}

int main(void) {
  const size_t size = 64 * 1024;
  char* stack = malloc(size);
  main_fiber = __tsan_get_current_fiber();
  spender = __tsan_create_fiber(0);
  getcontext(&fiber_ctx);
  fiber_ctx.uc_stack.ss_sp = stack;
  fiber_ctx.uc_stack.ss_size = size;
  makecontext(&fiber_ctx, Spend, 0);
  for (int k = 0; k < 3; ++k) {
    __tsan_switch_to_fiber(spender, __tsan_switch_to_fiber_no_sync);
    swapcontext(&main_ctx, &fiber_ctx);
    *published += 5;  // RACE
  }
  __tsan_destroy_fiber(spender);
  printf("budget %d\n", *published);
  return 0;
}
