// A closer thread deletes the shared session under the lock; a handler that runs after it
// takes the same lock and still counts a hit through its stale pointer. The lock orders the
// delete before the write, so this is no data race: it is a use of freed memory, reported
// whatever the timing. The twin, clean_free_then_new_under_lock, replaces the session.
// CHECK: race *
// CHECK: subkind use-after-free
// CHECK: exit 0
#include <cstdio>
#include <mutex>
#include <thread>

struct Session {
  char id[16];  // (the allocator keeps its list of free blocks here)
  long hits;
  char name[224];  // large enough that the threads' own allocations do not reuse it
};

std::mutex mu;
Session* session = new Session{};

int main() {
  std::thread closer([] {
    std::lock_guard<std::mutex> g(mu);
    delete session;  // RACE
  });
  closer.join();
  std::thread handler([] {
    std::lock_guard<std::mutex> g(mu);
    session->hits = 1;  // RACE
  });
  handler.join();
  std::puts("done");
}
