// A session object deleted by the main thread while a worker still uses it: the worker's
// "done" flag is relaxed, so nothing orders its last read before the delete.
// CHECK: race *
// CHECK: subkind use-after-free
#include <atomic>
#include <cstdio>
#include <thread>

struct Session {
  long id = 7;
  long bytes = 0;
};

std::atomic<bool> finished{false};

void Serve(Session* s) {
  long seen = s->bytes;  // RACE
  finished.store(true, std::memory_order_relaxed);
  std::printf("served %ld\n", seen);
}

int main() {
  Session* s = new Session;
  std::thread worker(Serve, s);
  while (!finished.load(std::memory_order_relaxed)) std::this_thread::yield();
  delete s;  // RACE
  worker.join();
}
