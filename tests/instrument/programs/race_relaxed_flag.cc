// A result published through a relaxed flag: the flag itself is atomic, but relaxed order
// does not make the payload written before it visible to the reader.
// CHECK: race payload
#include <atomic>
#include <cstdio>
#include <thread>

int payload = 0;
std::atomic<bool> ready{false};

void Produce() {
  payload = 42;  // RACE
  ready.store(true, std::memory_order_relaxed);
}

void Consume() {
  while (!ready.load(std::memory_order_relaxed)) std::this_thread::yield();
  std::printf("payload = %d\n", payload);  // RACE
}

int main() {
  std::thread consumer(Consume);
  std::thread producer(Produce);
  producer.join();
  consumer.join();
}
