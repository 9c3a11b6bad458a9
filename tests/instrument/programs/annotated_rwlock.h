// A reader/writer lock of a program's own, annotated for ThreadSanitizer with the
// __tsan_mutex_* calls as absl::Mutex is: its lock word's atomics are acquire and release,
// and the annotations say which calls lock and unlock (shared by the construct programs
// clean_annotated_rwlock_writer and race_annotated_rwlock_reader_writes).
#pragma once

#include <atomic>
#include <thread>

extern "C" {
void __tsan_mutex_create(void* addr, unsigned flags);
void __tsan_mutex_pre_lock(void* addr, unsigned flags);
void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void* addr, unsigned flags);
void __tsan_mutex_post_unlock(void* addr, unsigned flags);
}
constexpr unsigned kReadLock = 1u << 3;
class RwLock {
 public:
  RwLock() { __tsan_mutex_create(this, 0); }
  void Lock() {
    __tsan_mutex_pre_lock(this, 0);
    for (int v = 0; !word_.compare_exchange_weak(v, -1, std::memory_order_acquire); v = 0)
      std::this_thread::yield();
    __tsan_mutex_post_lock(this, 0, 0);
  }
  void Unlock() {
    __tsan_mutex_pre_unlock(this, 0);
    word_.store(0, std::memory_order_release);
    __tsan_mutex_post_unlock(this, 0);
  }
  void ReaderLock() {
    __tsan_mutex_pre_lock(this, kReadLock);
    for (;;) {
      int v = word_.load(std::memory_order_relaxed);
      if (v >= 0 && word_.compare_exchange_weak(v, v + 1, std::memory_order_acquire)) break;
      std::this_thread::yield();
    }
    __tsan_mutex_post_lock(this, kReadLock, 0);
  }
  void ReaderUnlock() {
    __tsan_mutex_pre_unlock(this, kReadLock);
    word_.fetch_sub(1, std::memory_order_release);
    __tsan_mutex_post_unlock(this, kReadLock);
  }

 private:
  std::atomic<int> word_{0};
};
