// The handoff of race_ignore_sync_handoff, with the AnnotateIgnoreSync region closed before
// the consumer polls the flag: its lock acquisitions order again, and nothing races.
// Inside the region it takes a lock of its own, which still counts as held there.
// CHECK: no-race
// CHECK: no-misuse
#include <cstdio>
#include <mutex>
#include <thread>

extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);

int payload = 0;
bool ready = false;
std::mutex m;
std::mutex own;
int own_count = 0;

int main() {
  std::thread consumer([] {
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    {
      std::lock_guard<std::mutex> hold(own);
      ++own_count;
    }
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    for (;;) {
      std::lock_guard<std::mutex> hold(m);
      if (ready) break;
    }
    std::printf("payload = %d, own = %d\n", payload, own_count);
  });
  payload = 42;
  {
    std::lock_guard<std::mutex> hold(m);
    ready = true;
  }
  consumer.join();
}
