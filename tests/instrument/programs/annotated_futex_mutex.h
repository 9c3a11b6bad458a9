// A mutex of a program's own built as absl::Mutex is: a lock word (0 free, 1 locked, 2
// locked with waiters), futex waits and wakes, and the __tsan_mutex_* annotations that say
// which calls lock and unlock. Like absl::Mutex, its slow path takes another annotated lock
// on the way (here a spin lock counting the sleepers) and sleeps inside a divert (code of
// the program's again). Shared by the construct programs *_annotated_futex_mutex* and
// *_annotated_lock_when_*.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

extern "C" {
void __tsan_mutex_create(void* addr, unsigned flags);
void __tsan_mutex_pre_lock(void* addr, unsigned flags);
void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void* addr, unsigned flags);
void __tsan_mutex_post_unlock(void* addr, unsigned flags);
void __tsan_mutex_pre_divert(void* addr, unsigned flags);
void __tsan_mutex_post_divert(void* addr, unsigned flags);
}

class AnnotatedSpinLock {
 public:
  AnnotatedSpinLock() { __tsan_mutex_create(this, 0); }
  void Lock() {
    __tsan_mutex_pre_lock(this, 0);
    while (word_.exchange(1, std::memory_order_acquire)) {
    }
    __tsan_mutex_post_lock(this, 0, 0);
  }
  void Unlock() {
    __tsan_mutex_pre_unlock(this, 0);
    word_.store(0, std::memory_order_release);
    __tsan_mutex_post_unlock(this, 0);
  }

 private:
  std::atomic<int> word_{0};
};

class FutexMutex {
 public:
  FutexMutex() { __tsan_mutex_create(this, 0); }
  void Lock() {
    __tsan_mutex_pre_lock(this, 0);
    Acquire();
    __tsan_mutex_post_lock(this, 0, 0);
  }
  // Locks once `ready()` holds, as absl::Mutex::LockWhen: the condition is the program's
  // code (a divert), evaluated with the mutex held (annotated as locked meanwhile, as
  // absl::Mutex does); while it is false the thread sleeps until an unlock changes things.
  template <typename Ready>
  void LockWhen(Ready ready) {
    __tsan_mutex_pre_lock(this, 0);
    for (;;) {
      Acquire();
      __tsan_mutex_pre_divert(this, 0);
      __tsan_mutex_post_lock(this, 0, 0);
      const bool ok = ready();
      __tsan_mutex_pre_unlock(this, 0);
      __tsan_mutex_post_unlock(this, 0);
      __tsan_mutex_pre_lock(this, 0);
      __tsan_mutex_post_divert(this, 0);
      if (ok) break;
      const int after_release = unlocks_.load(std::memory_order_relaxed) + 1;
      Release();
      __tsan_mutex_pre_divert(this, 0);
      syscall(SYS_futex, &unlocks_, FUTEX_WAIT_PRIVATE, after_release, nullptr, nullptr, 0);
      __tsan_mutex_post_divert(this, 0);
    }
    __tsan_mutex_post_lock(this, 0, 0);
  }
  void Unlock() {
    __tsan_mutex_pre_unlock(this, 0);
    Release();
    __tsan_mutex_post_unlock(this, 0);
  }

 private:
  void Acquire() {
    int v = 0;
    if (word_.compare_exchange_strong(v, 1, std::memory_order_acquire)) return;
    if (v != 2) v = word_.exchange(2, std::memory_order_acquire);
    while (v != 0) {
      sleepers_lock_.Lock();
      ++sleepers_;
      sleepers_lock_.Unlock();
      __tsan_mutex_pre_divert(this, 0);
      syscall(SYS_futex, &word_, FUTEX_WAIT_PRIVATE, 2, nullptr, nullptr, 0);
      __tsan_mutex_post_divert(this, 0);
      v = word_.exchange(2, std::memory_order_acquire);
    }
  }
  void Release() {
    unlocks_.fetch_add(1, std::memory_order_relaxed);
    syscall(SYS_futex, &unlocks_, FUTEX_WAKE_PRIVATE, 1 << 30, nullptr, nullptr, 0);
    if (word_.exchange(0, std::memory_order_release) == 2) {
      syscall(SYS_futex, &word_, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
  }

  std::atomic<int> word_{0};
  std::atomic<int> unlocks_{0};  // bumped by every unlock: what a conditional waiter sleeps on
  AnnotatedSpinLock sleepers_lock_;
  long sleepers_ = 0;
};
