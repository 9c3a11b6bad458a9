// The main thread sends a signal to a worker and only then changes the setting that the
// worker's handler reads: nothing orders the late write with the handler's read.
// CHECK: race *
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
  seen = setting.level;  // RACE
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
  pthread_kill(worker, SIGUSR1);
  setting.level = 7;  // RACE
  pthread_join(worker, nullptr);
}
