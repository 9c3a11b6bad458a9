// race_stream_loop_release_midway with one stream: the loop only writes dst, so the element
// after the release is the next one of the range extended last (the tracer's inline path).
// The patch writes an element of the loop's second half, written after the release: the two
// writes race whatever the timing. ThreadSanitizer (clang 14) reported it in 3 of 3 runs
// with the patching thread started first, and nothing in 3 of 3 as written here, where the
// loop's thread starts first and has usually finished before the patch runs.
// CHECK: race dst[3072]
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

enum { kN = 4096 };
unsigned char dst[kN];
atomic_int half;

static void* Transform(void* arg) {
  for (int i = 0; i < kN; ++i) {
    dst[i] = (unsigned char)(i * 3 + 1);  // RACE
    if (i == kN / 2) atomic_store_explicit(&half, 1, memory_order_release);
  }
  return arg;
}

static void* Patch(void* arg) {
  while (!atomic_load_explicit(&half, memory_order_acquire)) {
  }
  dst[3 * kN / 4] = 0;  // RACE
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
