// A worker renames a shared name with strcpy; main measures it with strlen, both under a lock.
// CHECK: no-race
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

char name[64] = "initial name";
std::mutex name_mutex;

int main() {
  std::thread worker([] {
    std::lock_guard<std::mutex> lock(name_mutex);
    std::strcpy(name, "renamed by the worker");
  });
  size_t length;
  {
    std::lock_guard<std::mutex> lock(name_mutex);
    length = std::strlen(name);
  }
  worker.join();
  std::printf("%zu %s\n", length, name);
}
