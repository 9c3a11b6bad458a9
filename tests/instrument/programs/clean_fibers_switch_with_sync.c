// A generator on a fiber of its own (ucontext), announced to the tracer as TSan's fiber API
// asks: each switch orders what the fiber did before it against what the next one does, so
// main's reads of `produced` follow the generator's writes. The twin of
// race_fibers_switch_without_sync.c; no thread leak for the fiber either.
// CHECK: no-race
// CHECK: no-misuse
#include <sanitizer/tsan_interface.h>
#include <stdio.h>
#include <ucontext.h>

static char stack[64 * 1024] __attribute__((aligned(16)));
static ucontext_t main_ctx, gen_ctx;
static void *main_fiber, *gen_fiber;
static int produced;

static void Generate(void) {
  for (int i = 1;; ++i) {
    produced = i * i;
    __tsan_switch_to_fiber(main_fiber, 0);
    swapcontext(&gen_ctx, &main_ctx);
  }
}

int main(void) {
  main_fiber = __tsan_get_current_fiber();
  gen_fiber = __tsan_create_fiber(0);
  __tsan_set_fiber_name(gen_fiber, "generator");
  getcontext(&gen_ctx);
  gen_ctx.uc_stack.ss_sp = stack;
  gen_ctx.uc_stack.ss_size = sizeof stack;
  makecontext(&gen_ctx, Generate, 0);
  long sum = 0;
  for (int k = 0; k < 4; ++k) {
    __tsan_switch_to_fiber(gen_fiber, 0);
    swapcontext(&main_ctx, &gen_ctx);
    sum += produced;
  }
  __tsan_destroy_fiber(gen_fiber);
  printf("sum %ld\n", sum);
  return 0;
}
