// The twin of race_process_vm_copy: the copies come after the join.
// CHECK: no-race
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
  long sum = copy[0];
  source[0] = 'R';
  return (void*)sum;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Other, NULL);
  pthread_join(t, NULL);
  struct iovec local = {copy, 6}, remote = {source, 6};
  long n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  struct iovec from = {back, 6}, to = {copy + 8, 6};
  n += process_vm_writev(getpid(), &from, 1, &to, 1, 0);
  printf("%ld\n", n);
  return 0;
}
