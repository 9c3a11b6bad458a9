/* The twin of race_local_indirect_call.c: the function writes its local after the join. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static void *Poke(void *p) {
  *(volatile int *)p = 1;
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
  pthread_join(t, NULL);
  flag = 2;
  printf("%d\n", flag);
}

int main(void) {
  void (*steps[2])(void) = {First, Second};
  for (int i = 0; i < 2; ++i) steps[i]();
  return 0;
}
