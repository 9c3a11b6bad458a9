// A reader/writer lock of the program's own, annotated for ThreadSanitizer with the
// __tsan_mutex_* calls as absl::Mutex is. The writer writes under the exclusive lock, the
// reader then reads under a shared one: ordered. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

#include "annotated_rwlock.h"

RwLock lock;
int data;
std::atomic<bool> written{false};

int main() {
  std::thread writer([] {
    lock.Lock();
    data = 42;
    lock.Unlock();
    written.store(true, std::memory_order_relaxed);
  });
  std::thread reader([] {
    // Only after the write, in time; the flag is relaxed and orders nothing.
    while (!written.load(std::memory_order_relaxed)) std::this_thread::yield();
    lock.ReaderLock();
    std::printf("%d\n", data);
    lock.ReaderUnlock();
  });
  writer.join();
  reader.join();
}
