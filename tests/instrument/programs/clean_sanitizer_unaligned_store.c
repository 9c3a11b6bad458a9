/* The twin of race_sanitizer_unaligned_store.c: the stores do not overlap (offsets 1 and 5). */
// CHECK: no-race
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <stdio.h>

unsigned char packet[16];

static void *Writer(void *arg) {
  const long at = (long)arg;
  __sanitizer_unaligned_store32(packet + at, 0x01020304u);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, (void *)1L);
  pthread_create(&b, NULL, Writer, (void *)5L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%u\n", __sanitizer_unaligned_load32(packet + 2));
  return 0;
}
