// The twin of clean_annotated_rwlock_writer: the writer writes under a shared lock. Two
// shared locks order nothing, though the lock word's own atomics (acquire and release, as in
// absl::Mutex) would: the annotations say the lock's code is not the program's, and
// only the annotated lock and unlock count. ThreadSanitizer (clang 14) agrees: a race on
// data.
// CHECK: race data
#include <atomic>
#include <cstdio>
#include <thread>

#include "annotated_rwlock.h"

RwLock lock;
int data;
std::atomic<bool> written{false};

int main() {
  std::thread writer([] {
    lock.ReaderLock();
    data = 42;  // RACE
    lock.ReaderUnlock();
    written.store(true, std::memory_order_relaxed);
  });
  std::thread reader([] {
    // Only after the write, in time; the flag is relaxed and orders nothing.
    while (!written.load(std::memory_order_relaxed)) std::this_thread::yield();
    lock.ReaderLock();
    std::printf("%d\n", data);  // RACE
    lock.ReaderUnlock();
  });
  writer.join();
  reader.join();
}
