// Scenario sem_wait_then_lock: the fix of sem_wait_holding_lock. The Worker waits for the item
// before it takes queue_lock, so the Producer can always store it and post, and `--predict`
// finds no schedule that deadlocks.
//
// STORY: the Worker waits on `items` first, then takes the lock to read the item
// EXPECT: clean
#include <semaphore.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

std::mutex queue_lock;
sem_t items;
int item = 0;

namespace {

using namespace std::chrono_literals;

void Produce() {
  threadlens_name_thread("Producer");
  {
    std::lock_guard<std::mutex> guard(queue_lock);
    item = 7;
  }
  sem_post(&items);
}

void Work() {
  threadlens_name_thread("Worker");
  std::this_thread::sleep_for(100ms);
  sem_wait(&items);
  std::lock_guard<std::mutex> guard(queue_lock);
  std::printf("worker got %d\n", item);
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&queue_lock, "queue_lock");
  sem_init(&items, 0, 0);
  std::thread worker(Work);
  std::thread producer(Produce);
  producer.join();
  worker.join();
  sem_destroy(&items);
  return 0;
}
