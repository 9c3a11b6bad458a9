// process_vm_readv and process_vm_writev on the process's own memory copy between two
// vectors: the bytes they write race with another thread's reads, the bytes they read with
// its writes.
// CHECK: race copy[0]
// CHECK: race source[0]
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

char copy[16];
char source[16] = "remote";
char back[16];

static void* Other(void* arg) {
  (void)arg;
  long sum = copy[0];  // RACE
  source[0] = 'R';  // RACE
  return (void*)sum;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Other, NULL);
  struct iovec local = {copy, 6}, remote = {source, 6};
  long n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);  // RACE
  struct iovec from = {back, 6}, to = {copy + 8, 6};
  n += process_vm_writev(getpid(), &from, 1, &to, 1, 0);
  pthread_join(t, NULL);
  printf("%ld\n", n);
  return 0;
}
