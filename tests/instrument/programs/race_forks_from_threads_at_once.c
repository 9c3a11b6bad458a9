// The racy twin of clean_forks_from_threads_at_once: each child reads the slot of the next
// thread, which that thread writes in the same round with nothing ordering it before this
// thread's fork.
// CHECK: race *
// CHECK: no-warning has no events in the recording
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kThreads = 4, kRounds = 10 };
static long* shared;
static pthread_barrier_t start;

static void* Forker(void* arg) {
  const long id = (long)arg;
  for (int r = 0; r < kRounds; ++r) {
    pthread_barrier_wait(&start);
    shared[id * 8] = id * 1000 + r;  // RACE
    const pid_t pid = fork();
    if (pid == 0) _exit(shared[(id + 1) % kThreads * 8] < 0);  // RACE
    int status = 0;
    waitpid(pid, &status, 0);
  }
  return NULL;
}

int main(void) {
  shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 2;
  pthread_barrier_init(&start, NULL, kThreads);
  pthread_t t[kThreads];
  for (long i = 0; i < kThreads; ++i) pthread_create(&t[i], NULL, Forker, (void*)i);
  for (int i = 0; i < kThreads; ++i) pthread_join(t[i], NULL);
  puts("done");
  return 0;
}
