// The pbzip2 shutdown bug: the main thread destroys a mutex that a worker may still be
// unlocking; the worker's "done" flag is relaxed and orders nothing.
// CHECK: race *
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <thread>

pthread_mutex_t queue_mutex;
std::atomic<bool> done{false};

void Work() {
  pthread_mutex_lock(&queue_mutex);  // RACE
  pthread_mutex_unlock(&queue_mutex);  // RACE
  done.store(true, std::memory_order_relaxed);
}

int main() {
  pthread_mutex_init(&queue_mutex, nullptr);
  std::thread worker(Work);
  while (!done.load(std::memory_order_relaxed)) std::this_thread::yield();
  pthread_mutex_destroy(&queue_mutex);  // RACE
  worker.join();
  std::puts("done");
}
