// A handoff through a mutex-protected flag, but the consumer polls the flag inside
// AnnotateIgnoreSync: its lock acquisitions order nothing, so the payload is not handed off.
// CHECK: race payload
#include <cstdio>
#include <mutex>
#include <thread>

extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);

int payload = 0;
bool ready = false;
std::mutex m;

int main() {
  std::thread consumer([] {
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    for (;;) {
      std::lock_guard<std::mutex> hold(m);
      if (ready) break;
    }
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    std::printf("payload = %d\n", payload);  // RACE
  });
  payload = 42;  // RACE
  {
    std::lock_guard<std::mutex> hold(m);
    ready = true;
  }
  consumer.join();
}
