// The twin of race_use_after_free_under_lock: the closer deletes the session and puts a new
// one in its place under the lock (the allocator may hand back the very same memory), so the
// handler's write is to a live block.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>

struct Session {
  char id[16];
  long hits;
  char name[224];
};

std::mutex mu;
Session* session = new Session{};

int main() {
  std::thread closer([] {
    std::lock_guard<std::mutex> g(mu);
    delete session;
    session = new Session{};
  });
  closer.join();
  std::thread handler([] {
    std::lock_guard<std::mutex> g(mu);
    session->hits = 1;
  });
  handler.join();
  std::printf("%ld\n", session->hits);
  delete session;
}
