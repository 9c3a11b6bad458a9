// Inside AnnotateIgnoreSync a thread's locks order nothing, but they are still its locks:
// the worker takes a then b there, main takes b then a, and the inversion is reported.
// Every unlock is of a lock held (no misuse).
// CHECK: finding lock-order
// CHECK: no-misuse
#include <mutex>
#include <thread>

extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);

std::mutex a, b;

int main() {
  std::thread worker([] {
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    {
      std::lock_guard<std::mutex> first(a);
      std::lock_guard<std::mutex> second(b);
    }
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  });
  worker.join();
  std::lock_guard<std::mutex> first(b);
  std::lock_guard<std::mutex> second(a);
}
