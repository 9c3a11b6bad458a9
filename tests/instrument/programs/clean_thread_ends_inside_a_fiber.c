// A worker thread switches to a fiber of its own (on its own stack, as a scheduler that
// runs a task in place does) and returns from its start routine without switching back.
// What the fiber did, the thread did before it ended: main's read after the join is
// ordered after the fiber's write. (TSan never ends this program: its thread exit hangs.)
// CHECK: no-race
// CHECK: no-misuse
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <stdio.h>

static int result;

static void* Worker(void* arg) {
  void* task = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(task, 0);
  result = 42;
  return arg;
}

int main(void) {
  pthread_t worker;
  pthread_create(&worker, NULL, Worker, NULL);
  pthread_join(worker, NULL);
  printf("result %d\n", result);
  return 0;
}
