/* Two functions reached through one indirect call in a loop, each with a frame of its own
   size, so the call path's stack pointer differs from one call to the next. The second
   hands the address of its local to a thread that writes it while the function does too.
   The local is named from the caller's stack pointer and the call frame information. */
// CHECK: race local variable flag of Second() on T1's stack
#include <pthread.h>
#include <stdio.h>

static void *Poke(void *p) {
  *(volatile int *)p = 1;  // RACE
  return NULL;
}

__attribute__((noinline)) static void First(void) {
  volatile char pad[256];
  pad[0] = 1;
  pad[255] = pad[0];
}

__attribute__((noinline)) static void Second(void) {
  volatile int flag = 0;
  pthread_t t;
  pthread_create(&t, NULL, Poke, (void *)&flag);
  flag = 2;  // RACE
  pthread_join(t, NULL);
  printf("%d\n", flag);
}

int main(void) {
  void (*steps[2])(void) = {First, Second};
  for (int i = 0; i < 2; ++i) steps[i]();
  return 0;
}
