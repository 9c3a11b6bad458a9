// The fixed twin of race_second_of_neighbouring_fields.cc: the reader starts after both
// fields were written (the thread's creation orders them).
// CHECK: no-race
#include <cstdio>
#include <thread>

struct Header {
  int tag;
  int len;
};
Header g_header;

int main() {
  g_header.tag = 7;
  g_header.len = 2;
  std::thread reader([] {
    const int len = g_header.len;
    std::printf("%d\n", len >= 0);
  });
  reader.join();
  std::printf("%d %d\n", g_header.tag, g_header.len);
}
