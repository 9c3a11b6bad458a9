// Main spins until a thread sets a flag, through a function that loads it (Ready, not
// inlined; built at -O0, std::atomic's load is a call of its own inside it). `ordered`: the
// thread writes `data` before its release store, and main reads it once its acquire load saw
// the flag (no race). `late`: the thread writes `data` after the store (a race). With a
// second argument `pause`, main also calls Pause between tries, a function that records
// nothing (std::this_thread::yield). Prints the flag's address and how many times main
// called Ready.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

static std::atomic<bool> flag;
static int data;

__attribute__((noinline)) static bool Ready() { return flag.load(std::memory_order_acquire); }
__attribute__((noinline)) static void Pause() { std::this_thread::yield(); }

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const bool late = std::strcmp(argv[1], "late") == 0;
  const bool pause = argc > 2 && std::strcmp(argv[2], "pause") == 0;
  std::printf("FLAG %p\n", static_cast<void*>(&flag));
  std::thread t([late] {
    usleep(20000);
    if (!late) data = 1;
    flag.store(true, std::memory_order_release);
    if (late) data = 1;
  });
  long calls = 1;
  while (!Ready()) {
    if (pause) Pause();
    ++calls;
  }
  const int seen = data;
  t.join();
  std::printf("CALLS %ld seen %d\n", calls, seen);
  return 0;
}
