// A hand-rolled handoff through a relaxed flag, annotated the way code written for TSan
// annotates it (dynamic_annotations.h): the annotations supply the missing edge.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

extern "C" void AnnotateHappensBefore(const char* file, int line, const volatile void* addr);
extern "C" void AnnotateHappensAfter(const char* file, int line, const volatile void* addr);

int payload = 0;
std::atomic<bool> ready{false};

int main() {
  std::thread consumer([] {
    while (!ready.load(std::memory_order_relaxed)) std::this_thread::yield();
    AnnotateHappensAfter(__FILE__, __LINE__, &ready);
    std::printf("payload = %d\n", payload);
  });
  payload = 42;
  AnnotateHappensBefore(__FILE__, __LINE__, &ready);
  ready.store(true, std::memory_order_relaxed);
  consumer.join();
}
