// Built with -O2 -g into symbolizer_test: std::mutex::lock and __gthread_mutex_lock are
// inlined into LockAsUserCode, so the pthread_mutex_lock call lies in the user's function
// while its innermost line is in gthr-default.h, as in an optimized program that is traced
// by preloading alone (only the call's return address is recorded).
#include <mutex>

namespace symbolizer_test {

int lock_call_line = 0;

__attribute__((noinline)) void LockAsUserCode(std::mutex& m, int& counter) {
  lock_call_line = __LINE__ + 1;
  m.lock();
  ++counter;
  m.unlock();
}

}  // namespace symbolizer_test
