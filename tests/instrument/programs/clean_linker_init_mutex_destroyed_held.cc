// A mutex class annotated for ThreadSanitizer whose global instance is linker-initialized
// (__tsan_mutex_linker_init): code may still lock it during shutdown after its destructor ran,
// so its destroy while held is no destroy, as in ThreadSanitizer. The twin without the flag,
// misuse_annotated_mutex_destroyed_held, is a destroy-locked misuse.
// CHECK: no-misuse
// CHECK: no-race
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <new>

class SpinMutex {
 public:
  explicit SpinMutex(unsigned create_flags) { __tsan_mutex_create(this, create_flags); }
  ~SpinMutex() { __tsan_mutex_destroy(this, 0); }
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

int main() {
  alignas(SpinMutex) unsigned char storage[sizeof(SpinMutex)];
  SpinMutex* mu = new (storage) SpinMutex(__tsan_mutex_linker_init);
  mu->Lock();
  mu->~SpinMutex();
  mu->Unlock();
  std::puts("done");
}
