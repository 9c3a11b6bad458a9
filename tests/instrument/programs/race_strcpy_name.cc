// A worker renames a shared name with strcpy while main measures it with strlen.
// CHECK: race *
#include <cstdio>
#include <cstring>
#include <thread>

char name[64] = "initial name";

int main() {
  std::thread worker([] {
    std::strcpy(name, "renamed by the worker");  // RACE
  });
  size_t length = std::strlen(name);  // RACE
  worker.join();
  std::printf("%zu %s\n", length, name);
}
