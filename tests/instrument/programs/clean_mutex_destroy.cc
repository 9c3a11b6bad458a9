// The fix of race_mutex_destroy: the mutex is destroyed after the worker is joined.
// CHECK: no-race
#include <pthread.h>

#include <cstdio>
#include <thread>

pthread_mutex_t queue_mutex;

void Work() {
  pthread_mutex_lock(&queue_mutex);
  pthread_mutex_unlock(&queue_mutex);
}

int main() {
  pthread_mutex_init(&queue_mutex, nullptr);
  std::thread worker(Work);
  worker.join();
  pthread_mutex_destroy(&queue_mutex);
  std::puts("done");
}
