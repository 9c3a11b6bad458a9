// A release store, then a relaxed store of the same flag: the relaxed store ends the
// release sequence, so the reader that sees it synchronizes with nothing.
// CHECK: race config
#include <atomic>
#include <cstdio>
#include <thread>

int config = 0;
std::atomic<int> stage{0};

void Publish() {
  config = 42;  // RACE
  stage.store(1, std::memory_order_release);
  stage.store(2, std::memory_order_relaxed);
}

void Use() {
  // Relaxed loads order nothing, whatever they read (an acquire load that read the release
  // store would synchronize, and then there is no race); the one acquire load reads the
  // relaxed store, outside the release sequence: it synchronizes with nothing either.
  while (stage.load(std::memory_order_relaxed) != 2) std::this_thread::yield();
  if (stage.load(std::memory_order_acquire) == 2) std::printf("config = %d\n", config);  // RACE
}

int main() {
  std::thread user(Use), publisher(Publish);
  publisher.join();
  user.join();
}
