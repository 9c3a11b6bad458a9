// The main thread fills a setting, then sends a signal to a worker; the worker's handler
// reads the setting: the signal orders them.
// CHECK: no-race
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

struct Setting {
  int level;
} setting;
int seen;  // written by the handler only, which runs on the worker
std::atomic<bool> handled{false};

void OnSignal(int) {
  seen = setting.level;
  handled.store(true, std::memory_order_relaxed);
}

void* Worker(void*) {
  while (!handled.load(std::memory_order_relaxed)) usleep(100);
  std::printf("seen %d\n", seen);
  return nullptr;
}

int main() {
  signal(SIGUSR1, OnSignal);
  pthread_t worker;
  pthread_create(&worker, nullptr, Worker, nullptr);
  setting.level = 7;
  pthread_kill(worker, SIGUSR1);
  pthread_join(worker, nullptr);
}
