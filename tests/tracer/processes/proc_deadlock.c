/* Two processes, two process-shared mutexes taken in opposite orders: the parent holds
 * lock_a and wants lock_b, the child holds lock_b and wants lock_a. Each process's watchdog
 * ends it (the cycle runs through both); the recording holds both sides. With argument
 * "busy" the parent also runs a thread that never blocks, so only the cycle across the
 * processes can end it, never "every thread blocked". */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threadlens/threadlens.h"

struct shared {
  pthread_mutex_t a, b;
};

static void init(pthread_mutex_t* m, const char* name) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(m, &attr);
  threadlens_name_lock(m, name);
}

static void take(pthread_mutex_t* first, pthread_mutex_t* second) {
  pthread_mutex_lock(first);
  usleep(200 * 1000);
  pthread_mutex_lock(second);
  pthread_mutex_unlock(second);
  pthread_mutex_unlock(first);
}

static void* busy(void* arg) {
  (void)arg;
  for (;;) usleep(10 * 1000);
  return NULL;
}

int main(int argc, char** argv) {
  struct shared* s =
      mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) return 1;
  init(&s->a, "lock_a");
  init(&s->b, "lock_b");
  pid_t pid = fork();
  if (pid == 0) {
    take(&s->b, &s->a);
    _exit(0);
  }
  if (argc > 1 && argv[1][0] == 'b') {
    pthread_t t;
    pthread_create(&t, NULL, busy, NULL);
  }
  take(&s->a, &s->b);
  waitpid(pid, NULL, 0);
  return 0;
}
