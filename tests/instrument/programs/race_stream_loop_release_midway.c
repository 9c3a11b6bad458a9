// A loop reads one array and writes another (two streams, each recorded as one range), and
// releases a flag half way through. The reader waits for the flag and then writes an element
// of the loop's second half: the loop writes it after the release, so the two writes race.
// A range must end at the release: were the second half recorded in the range begun before
// it, the flag would order it. ThreadSanitizer (clang 14) agrees: a race on dst.
// CHECK: race dst[3072]
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

enum { kN = 4096 };
unsigned char src[kN], dst[kN];
atomic_int half;

static void* Transform(void* arg) {
  for (int i = 0; i < kN; ++i) {
    dst[i] = (unsigned char)(src[i] * 3 + 1);  // RACE
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
  for (int i = 0; i < kN; ++i) src[i] = (unsigned char)i;
  pthread_t a, b;
  pthread_create(&a, NULL, Transform, NULL);
  pthread_create(&b, NULL, Patch, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%d\n", dst[kN / 4] + dst[3 * kN / 4]);
  return 0;
}
