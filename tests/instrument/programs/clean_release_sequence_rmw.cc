// The release sequence kept: a read-modify-write (even relaxed) continues it, so the
// reader that sees its value synchronizes with the release store before it.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

int config = 0;
std::atomic<int> stage{0};

void Publish() {
  config = 42;
  stage.store(1, std::memory_order_release);
  stage.fetch_add(1, std::memory_order_relaxed);
}

void Use() {
  while (stage.load(std::memory_order_acquire) != 2) std::this_thread::yield();
  std::printf("config = %d\n", config);
}

int main() {
  std::thread user(Use), publisher(Publish);
  publisher.join();
  user.join();
}
