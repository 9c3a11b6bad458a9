/* The annotation API: names, reads and writes, happens-before edges. Linked with the no-op
 * annotation library; under the tracer the runtime's definitions take over. */
#include <pthread.h>
#include <stdio.h>

#include "threadlens/threadlens.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int counter;
static char big[100000];

int main(void) {
  printf("M %p\nV %p\nBIG %p\nENABLED %d\n", (void*)&m, (void*)&counter, (void*)big,
         threadlens_enabled());
  threadlens_name_thread("Main");
  threadlens_name_lock(&m, "counter_lock");
  threadlens_name_variable(&counter, sizeof counter, "counter");
  threadlens_write(&counter, sizeof counter);
  threadlens_read(&counter, sizeof counter);
  threadlens_write(big, sizeof big);
  threadlens_happens_before(&counter);
  threadlens_happens_after(&counter);
  return 0;
}
