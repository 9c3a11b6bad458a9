/* Two threads store 4 bytes each through the sanitizers' public unaligned store, at offsets
   1 and 3 of one buffer: their bytes overlap, and nothing orders them. */
// CHECK: race packet[3]
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <stdio.h>

unsigned char packet[16];

static void *Writer(void *arg) {
  const long at = (long)arg;
  __sanitizer_unaligned_store32(packet + at, 0x01020304u);  // RACE
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, (void *)1L);
  pthread_create(&b, NULL, Writer, (void *)3L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%u\n", __sanitizer_unaligned_load32(packet + 2));
  return 0;
}
