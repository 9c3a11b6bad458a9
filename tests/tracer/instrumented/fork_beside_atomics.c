/* Forks again and again while another thread performs sequentially consistent atomics
 * without pause: each child does one on the same variable and exits. A fork taken while the
 * other thread was inside an atomic must not leave the child waiting for it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static long counter;
static int stop;

static void* Spin(void* arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
    __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
  }
  return arg;
}

int main(int argc, char** argv) {
  const int forks = argc > 1 ? atoi(argv[1]) : 20;
  pthread_t t;
  pthread_create(&t, NULL, Spin, NULL);
  int done = 0;
  for (int i = 0; i < forks; ++i) {
    pid_t child = fork();
    if (child == 0) {
      __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
      _exit(0);
    }
    int status = 0;
    if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status)) ++done;
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(t, NULL);
  printf("children %d\n", done);
  return 0;
}
