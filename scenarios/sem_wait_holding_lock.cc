// Scenario sem_wait_holding_lock: the Worker takes queue_lock and then waits on the semaphore
// `items` while holding it; the Producer takes queue_lock to store the item, then posts. The
// Worker starts late, so in a normal run the item is there before it waits, and nothing
// hangs. The bug is still there: had the Worker taken the lock first, it would sleep in
// sem_wait holding it, and the Producer could never store the item and post. The fix is
// sem_wait_then_lock.cc.
//
// STORY: a sem_wait under the lock its poster needs; only `--predict` shows the deadlock
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
  std::this_thread::sleep_for(100ms);  // starts late: the item is there by now
  std::lock_guard<std::mutex> guard(queue_lock);
  sem_wait(&items);  // the bug: sleeps holding the lock the Producer needs
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
