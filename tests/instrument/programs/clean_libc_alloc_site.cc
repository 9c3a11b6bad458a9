// The twin of race_libc_alloc_site: the blocks strdup and getline allocated in the producer
// are written only after the join, which orders them.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

std::atomic<char*> copied{nullptr}, line{nullptr};
char text[] = "first line\nsecond line\n";

void Producer() {
  // The C library allocates both blocks for this function.
  copied.store(strdup("a string copied by the C library"), std::memory_order_relaxed);
  FILE* f = fmemopen(text, sizeof text - 1, "r");
  char* buf = nullptr;
  size_t n = 0;
  if (f && getline(&buf, &n, f) > 0) line.store(buf, std::memory_order_relaxed);
  if (f) fclose(f);
}

int main() {
  std::thread t(Producer);
  t.join();
  char* c = copied.load(std::memory_order_relaxed);
  char* l = line.load(std::memory_order_relaxed);
  if (!c || !l) return 1;
  c[1] = 'X';
  l[1] = 'Y';
  std::printf("%s%s\n", c, l);
  free(c);
  free(l);
}
