/* The twin of race_c11_once_routine_stack: the reader calls call_once too, which orders the
 * routine before its read. */
// CHECK: no-race
#include <stdio.h>
#include <threads.h>

static int config;
static once_flag config_once = ONCE_FLAG_INIT;

static void Init(void) { config = 42; }

static void Setup(void) { call_once(&config_once, Init); }

static int Reader(void* arg) {
  (void)arg;
  Setup();
  printf("%d\n", config);
  return 0;
}

int main(void) {
  thrd_t reader;
  thrd_create(&reader, Reader, NULL);
  Setup();
  thrd_join(reader, NULL);
  return 0;
}
