// The twin of clean_annotated_rwlock_writer: the writer writes under a shared lock. Two
// shared locks order nothing, though the lock word's own atomics (acquire and release, as in
// absl::Mutex) would: the annotations say the lock's code is not the program's, and
// only the annotated lock and unlock count. ThreadSanitizer (clang 14) agrees: a race on
// data.
// CHECK: race data
#include <atomic>
#include <cstdio>
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
