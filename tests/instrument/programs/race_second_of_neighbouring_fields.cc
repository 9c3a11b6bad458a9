// Two neighbouring fields written one after the other on two lines, and another thread reading
// the second with nothing ordering them. The race is reported at the second field's line, as
// ThreadSanitizer reports it: only a loop going round makes one range of neighbouring accesses.
// CHECK: race g_header.len
#include <cstdio>
#include <thread>

struct Header {
  int tag;
  int len;
};
Header g_header;

int main() {
  std::thread reader([] {
    const int len = g_header.len;  // RACE
    std::printf("%d\n", len >= 0);
  });
  g_header.tag = 7;
  g_header.len = 2;  // RACE
  reader.join();
  std::printf("%d %d\n", g_header.tag, g_header.len);
}
