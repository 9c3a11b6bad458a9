// The twin of clean_free_under_ignore without the ignore: the free races with the worker's
// write, which nothing the trace shows orders before it.
// CHECK: race *
// CHECK: subkind use-after-free
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main() {
  int* p = static_cast<int*>(std::malloc(sizeof(int)));
  std::thread worker([p] { *p = 42; });  // RACE
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::free(p);  // RACE
  worker.join();
  std::puts("done");
}
