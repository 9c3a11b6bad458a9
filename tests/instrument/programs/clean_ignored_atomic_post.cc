// A thread posts another's semaphore (an atomic increment, release) whose address reached
// it through a relaxed pointer, as absl::Mutex's unlock posts a waiter's: the post is made
// under AnnotateIgnoreWritesBegin, since what ordered the waiter's initialization before it
// is hidden in the lock's code. The post still synchronizes (the waiter's acquire load then
// reads the payload), but is no access to check. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);

struct Waiter {
  std::atomic<int> futex;
  int payload;
};
std::atomic<Waiter*> published{nullptr};

int main() {
  std::thread poster([] {
    Waiter* w;
    while (!(w = published.load(std::memory_order_relaxed))) std::this_thread::yield();
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    w->futex.fetch_add(1, std::memory_order_release);
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  });
  Waiter* w = new Waiter{{0}, 7};
  published.store(w, std::memory_order_relaxed);
  while (w->futex.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  poster.join();
  std::printf("%d\n", w->payload);
  delete w;
}
