/* A C11 call_once routine writes what another thread reads without calling it. The routine
 * runs inside the C library: its stack goes on through Setup to main, as the call made it
 * (race_reports_test checks the frames). */
// CHECK: race config
#include <stdio.h>
#include <threads.h>

static int config;
static once_flag config_once = ONCE_FLAG_INIT;

static void Init(void) { config = 42; }  // RACE

static void Setup(void) { call_once(&config_once, Init); }

static int Reader(void* arg) {
  (void)arg;
  printf("%d\n", config);  // RACE
  return 0;
}

int main(void) {
  thrd_t reader;
  thrd_create(&reader, Reader, NULL);
  Setup();
  thrd_join(reader, NULL);
  return 0;
}
