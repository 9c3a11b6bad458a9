// The twin of race_scan_loop_release_midway: the patch writes an element of the loop's first
// half, which the loop wrote before its release, so the flag orders the two writes.
// CHECK: no-race
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

enum { kN = 4096 };
unsigned char dst[kN];
atomic_int half;

static void* Transform(void* arg) {
  for (int i = 0; i < kN; ++i) {
    dst[i] = (unsigned char)(i * 3 + 1);
    if (i == kN / 2) atomic_store_explicit(&half, 1, memory_order_release);
  }
  return arg;
}

static void* Patch(void* arg) {
  while (!atomic_load_explicit(&half, memory_order_acquire)) {
  }
  dst[kN / 4] = 0;
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Transform, NULL);
  pthread_create(&b, NULL, Patch, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%d\n", dst[kN / 4] + dst[3 * kN / 4]);
  return 0;
}
