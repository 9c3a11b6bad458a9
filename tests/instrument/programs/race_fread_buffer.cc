// A worker fread()s a file into a shared buffer while main reads the buffer.
// CHECK: race *
#include <cstdio>
#include <thread>

char buffer[128];

int main() {
  FILE* file = std::tmpfile();
  if (!file) return 1;
  std::fputs("contents of the temporary file", file);
  std::rewind(file);
  std::thread worker([file] {
    size_t n = std::fread(buffer, 1, sizeof buffer, file);  // RACE
    (void)n;
  });
  char first = buffer[0];  // RACE
  worker.join();
  std::printf("%d %s\n", first, buffer);
  std::fclose(file);
}
