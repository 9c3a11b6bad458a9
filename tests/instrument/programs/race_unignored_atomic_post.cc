// The twin of clean_ignored_atomic_post, without the ignore: the poster's atomic increment
// races with the waiter's plain initialization of the semaphore, which nothing orders
// before it. ThreadSanitizer (clang 14) agrees: a race.
// CHECK: race *
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
    w->futex.fetch_add(1, std::memory_order_release);  // RACE
  });
  Waiter* w = new Waiter{{0}, 7};  // RACE
  published.store(w, std::memory_order_relaxed);
  while (w->futex.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  poster.join();
  std::printf("%d\n", w->payload);
  delete w;
}
