// The twin of clean_stream_transform_loop: the worker sums the outputs while the loop still
// writes them (no join before): each output plane races, each at the loop's line.
// CHECK: race unsigned char[0] in heap block allocated at main race_stream_transform_loop.c:29
// CHECK: race unsigned char[0] in heap block allocated at main race_stream_transform_loop.c:30
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { kW = 2048 };
unsigned char *row0, *row1, *out0, *out1;

static void Downscale(void) {
  for (int x = 0; x < kW / 2; ++x) {
    out0[x] = (unsigned char)((row0[2 * x] + row0[2 * x + 1] + 1) >> 1);  // RACE
    out1[x] = (unsigned char)((row1[2 * x] + row1[2 * x + 1] + 1) >> 1);  // RACE
  }
}

static void* Sum(void* arg) {
  long total = 0;
  for (int x = 0; x < kW / 2; ++x) total += out0[x] + out1[x];  // RACE
  *(long*)arg = total;
  return NULL;
}

int main(void) {
  row0 = malloc(kW);
  row1 = malloc(kW);
  out0 = malloc(kW / 2);
  out1 = malloc(kW / 2);
  for (int x = 0; x < kW; ++x) {
    row0[x] = (unsigned char)x;
    row1[x] = (unsigned char)(x * 7);
  }
  long total = 0;
  pthread_t t;
  pthread_create(&t, NULL, Sum, &total);
  Downscale();
  pthread_join(t, NULL);
  printf("%ld\n", total);
  free(row0);
  free(row1);
  free(out0);
  free(out1);
  return 0;
}
