// A scheduler that makes a short-lived fiber per task: each task takes a lock on its own
// fiber and is destroyed. Every fiber is a thread of the trace; destroying it gives back
// what it took (a fiber's trace buffer is about 100 KiB), so the process's address space
// does not grow with the number of tasks (the program exits 1 if it does), and no fiber is
// a leaked thread.
// CHECK: exit 0
// CHECK: no-race
// CHECK: no-misuse
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <stdio.h>

static pthread_mutex_t tally_mu = PTHREAD_MUTEX_INITIALIZER;
static int tally;

// The process's address space in KiB (VmSize).
static long AddressSpaceKiB(void) {
  FILE* status = fopen("/proc/self/status", "r");
  if (!status) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, status)) {
    if (sscanf(line, "VmSize: %ld", &kib) == 1) break;
  }
  fclose(status);
  return kib;
}

static void RunTask(void) {
  void* home = __tsan_get_current_fiber();
  void* task = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(task, 0);
  pthread_mutex_lock(&tally_mu);
  ++tally;
  pthread_mutex_unlock(&tally_mu);
  __tsan_switch_to_fiber(home, 0);
  __tsan_destroy_fiber(task);
}

int main(void) {
  for (int i = 0; i < 50; ++i) RunTask();
  const long before = AddressSpaceKiB();
  for (int i = 0; i < 50; ++i) RunTask();
  const long after = AddressSpaceKiB();
  printf("tasks %d, address space %ld KiB -> %ld KiB\n", tally, before, after);
  return before > 0 && after - before < 1024 ? 0 : 1;
}
