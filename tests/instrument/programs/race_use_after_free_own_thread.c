// One thread reads a buffer it freed itself: a use after free needs no second thread.
// CHECK: race *
// CHECK: subkind use-after-free
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int Last(const int* values, int n) {
  return values[n - 1];  // RACE
}

int main(void) {
  int* values = malloc(64 * sizeof(int));
  for (int i = 0; i < 64; ++i) values[i] = i;
  free(values);  // RACE
  printf("%d\n", Last(values, 64));
  return 0;
}
