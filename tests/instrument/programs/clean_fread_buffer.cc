// A worker fread()s a file into a shared buffer; main reads the buffer after the join.
// CHECK: no-race
#include <cstdio>
#include <thread>

char buffer[128];

int main() {
  FILE* file = std::tmpfile();
  if (!file) return 1;
  std::fputs("contents of the temporary file", file);
  std::rewind(file);
  std::thread worker([file] {
    size_t n = std::fread(buffer, 1, sizeof buffer, file);
    (void)n;
  });
  worker.join();
  char first = buffer[0];
  std::printf("%d %s\n", first, buffer);
  std::fclose(file);
}
