// Blocks the C library allocates for its caller (strdup, getline) are named at the caller's
// call, not inside libc; and getline's copy into its buffer is a write like any other. With
// optimization glibc's getline is an inline call of __getdelim, recorded the same.
// CHECK: race char[1] in heap block allocated at Producer() race_libc_alloc_site.cc:17
// CHECK: race heap block of 120 bytes allocated at Producer() race_libc_alloc_site.cc:21 (+1)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

std::atomic<char*> copied{nullptr}, line{nullptr};
char text[] = "first line\nsecond line\n";

void Producer() {
  // The C library allocates both blocks for this function.
  copied.store(strdup("a string copied by the C library"), std::memory_order_relaxed);  // RACE
  FILE* f = fmemopen(text, sizeof text - 1, "r");
  char* buf = nullptr;
  size_t n = 0;
  if (f && getline(&buf, &n, f) > 0) line.store(buf, std::memory_order_relaxed);  // RACE
  if (f) fclose(f);
}

int main() {
  std::thread t(Producer);
  char* c;
  while (!(c = copied.load(std::memory_order_relaxed))) {
  }
  c[1] = 'X';  // RACE
  char* l;
  while (!(l = line.load(std::memory_order_relaxed))) {
  }
  l[1] = 'Y';  // RACE
  t.join();
  std::printf("%s%s\n", c, l);
  free(c);
  free(l);
}
