// Four threads fork at the same moment, round after round. Before its fork each thread writes
// its own slot of a shared mapping; its child reads that slot: the fork orders the write
// before the read. Each child must hang on its own thread's fork, not on another thread's
// that was prepared at the same time.
// CHECK: no-race
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
    shared[id * 8] = id * 1000 + r;
    const pid_t pid = fork();
    if (pid == 0) _exit(shared[id * 8] == id * 1000 + r ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) puts("a child read a stale slot");
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
