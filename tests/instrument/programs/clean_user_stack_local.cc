// The twin of race_user_stack_local: the local's address is published with release and
// read with acquire, and the thread waits (acquire) for main's write before it reads the
// local. Then threads run one after another on the same allocated stack.
// CHECK: no-race
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

static std::atomic<int*> published{nullptr};
static std::atomic<bool> written{false};

static void* Worker(void*) {
  int value = 1;
  published.store(&value, std::memory_order_release);
  while (!written.load(std::memory_order_acquire)) usleep(100);
  std::printf("%d\n", value);
  return nullptr;
}

int main() {
  const size_t size = 1 << 20;
  void* stack = nullptr;
  if (posix_memalign(&stack, 4096, size) != 0) return 1;
  for (int round = 0; round < 3; ++round) {
    published.store(nullptr);
    written.store(false);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, size);
    pthread_t t;
    pthread_create(&t, &attr, Worker, nullptr);
    int* p;
    while ((p = published.load(std::memory_order_acquire)) == nullptr) usleep(100);
    *p = 2 + round;
    written.store(true, std::memory_order_release);
    pthread_join(t, nullptr);
    pthread_attr_destroy(&attr);
  }
  std::free(stack);
  return 0;
}
