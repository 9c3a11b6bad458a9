// A thread runs on a stack the program allocated (pthread_attr_setstack). It publishes the
// address of a local through a relaxed atomic, and main writes the local through it: the
// write races with the local's initialization (and the thread's read), a race on the local, which lies inside main's heap block. It is named
// as the local of the thread's frame, not as an offset into the block.
// CHECK: race local variable value of Worker() on T2's stack
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

static std::atomic<int*> published{nullptr};

static void* Worker(void*) {
  int value = 1;  // RACE with main's write
  published.store(&value, std::memory_order_relaxed);
  usleep(50000);
  std::printf("%d\n", value);
  return nullptr;
}

int main() {
  const size_t size = 1 << 20;
  void* stack = nullptr;
  if (posix_memalign(&stack, 4096, size) != 0) return 1;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, stack, size);
  pthread_t t;
  pthread_create(&t, &attr, Worker, nullptr);
  int* p;
  while ((p = published.load(std::memory_order_relaxed)) == nullptr) usleep(100);
  *p = 2;  // RACE
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  std::free(stack);
  return 0;
}
