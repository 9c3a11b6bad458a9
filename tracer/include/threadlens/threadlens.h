/* threadlens annotation API (C and C++). Name threads, locks and variables; record reads and
 * writes of named shared variables; declare happens-before edges for hand-written
 * synchronization. Every call is a cheap no-op when the program is not traced.
 *
 * Link with threadlens::annotations (or let `threadlens run` preload the runtime: the weak
 * definitions in libthreadlens_annotations are then overridden by the runtime's). */
#ifndef THREADLENS_THREADLENS_H_
#define THREADLENS_THREADLENS_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Names the calling thread ("Producer", "MainThread"). */
void threadlens_name_thread(const char* name);
/* Names a lock: pass the address of the pthread_mutex_t / std::mutex / rwlock. */
void threadlens_name_lock(const void* lock, const char* name);
/* Names a shared variable of `size` bytes at `addr`. */
void threadlens_name_variable(const void* addr, size_t size, const char* name);
/* Records a read or a write of `size` bytes at `addr` at the caller's site. */
void threadlens_read(const void* addr, size_t size);
void threadlens_write(const void* addr, size_t size);
/* Everything the calling thread did before happens_before(addr) happens before everything
 * a thread does after a later happens_after(addr). */
void threadlens_happens_before(const void* addr);
void threadlens_happens_after(const void* addr);
/* 1 when the program runs under the tracer. */
int threadlens_enabled(void);

#ifdef __cplusplus
} /* extern "C" */

namespace threadlens {
/* A shared variable that records every read and write through the API. */
template <typename T>
class Shared {
 public:
  explicit Shared(const char* name, T value = T()) : value_(value) {
    threadlens_name_variable(&value_, sizeof(T), name);
  }
  T load() const {
    threadlens_read(&value_, sizeof(T));
    return value_;
  }
  void store(T v) {
    threadlens_write(&value_, sizeof(T));
    value_ = v;
  }

 private:
  T value_;
};
}  // namespace threadlens
#endif

#endif /* THREADLENS_THREADLENS_H_ */
