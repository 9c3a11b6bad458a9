// The twin of clean_atomic_pair_publish: each worker writes its result only after it
// published it, so every one of main's reads races, though each still waits for the
// publication through libatomic's calls.
// LINK: -latomic
// CHECK: race by_pair
// CHECK: race by_triple
// CHECK: race local variable node.value of main() on T1's stack
#include <atomic>
#include <cstdio>
#include <thread>

struct Pair {
  long ready;
  long round;
};
struct Triple {
  long ready, round, spare;
};
struct Node {
  long value;
  Node* next;
};
struct Head {
  Node* top;
  unsigned long tag;
};

std::atomic<Pair> pair{Pair{0, 0}};
std::atomic<Triple> triple{Triple{0, 0, 0}};
std::atomic<Head> head{Head{nullptr, 0}};
alignas(64) long by_pair;
alignas(64) long by_triple;

void Publisher() {
  pair.store(Pair{1, 1}, std::memory_order_release);
  by_pair = 6 * 7;  // RACE
  triple.store(Triple{1, 1, 0}, std::memory_order_release);
  by_triple = 1000;  // RACE
}

void Pusher(Node* node) {
  Head old = head.load(std::memory_order_relaxed);
  do {
    node->next = old.top;
  } while (!head.compare_exchange_weak(old, Head{node, old.tag + 1}, std::memory_order_release,
                                       std::memory_order_relaxed));
  node->value = 99;  // RACE
}

int main() {
  Node node{0, nullptr};
  std::thread publisher(Publisher);
  std::thread pusher(Pusher, &node);
  while (pair.load(std::memory_order_acquire).ready == 0) {
  }
  long first = by_pair;  // RACE
  while (triple.load(std::memory_order_acquire).ready == 0) {
  }
  long second = by_triple;  // RACE
  Head top = head.load(std::memory_order_acquire);
  while (top.top == nullptr ||
         !head.compare_exchange_weak(top, Head{top.top->next, top.tag + 1},
                                     std::memory_order_acquire, std::memory_order_acquire)) {
    if (top.top == nullptr) top = head.load(std::memory_order_acquire);
  }
  long third = top.top->value;  // RACE
  publisher.join();
  pusher.join();
  std::printf("%ld %ld %ld\n", first, second, third);
}
