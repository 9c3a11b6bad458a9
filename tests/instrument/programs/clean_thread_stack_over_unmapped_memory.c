// A worker maps 8 MiB and a page, touches it and unmaps it while it still runs; main then
// starts a thread whose stack the C library maps, out of sight of the runtime, and the
// kernel usually places it in the hole. The new thread writes its own locals: nothing races,
// since the kernel ends the unmapping before it maps the range again, though nothing the
// program does orders the worker's munmap before them. (A thread's stack recorded after a
// free over its bytes is taken as mapped anew; libgit2's object cache tests had 5-6 false
// uses after free per run without this.) Its twin is race_thread_stack_given_by_program_freed.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE ((8u << 20) + 4096)
static void* hole;

static void* Unmapper(void* arg) {
  char* p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return arg;
  for (size_t i = 0; i < SIZE; i += 4096) p[i] = 1;
  __atomic_store_n(&hole, p, __ATOMIC_RELAXED);
  munmap(p, SIZE);
  usleep(300 * 1000);  // still running: no join orders the munmap
  return arg;
}

static void* Worker(void* arg) {
  volatile int local[64];
  for (int i = 0; i < 64; i++) local[i] = i;
  char* h = __atomic_load_n(&hole, __ATOMIC_RELAXED);
  const char* at = (const char*)local;
  printf("%s\n", h && at >= h && at < h + SIZE ? "in the hole" : "elsewhere");
  return arg;
}

int main(void) {
  pthread_t u, w;
  pthread_create(&u, NULL, Unmapper, NULL);
  usleep(100 * 1000);  // no synchronization
  pthread_create(&w, NULL, Worker, NULL);
  pthread_join(w, NULL);
  pthread_join(u, NULL);
  return 0;
}
