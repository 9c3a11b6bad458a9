// Two threads write to one FILE with fprintf, fputs and fwrite and no lock of their own:
// stdio locks the stream, so this is not a race (TSan agrees).
// CHECK: no-race
#include <cstdio>
#include <thread>

int main() {
  FILE* file = std::tmpfile();
  if (!file) return 1;
  auto writer = [file](int id) {
    for (int i = 0; i < 50; ++i) {
      std::fprintf(file, "thread %d line %d\n", id, i);
      std::fputs("-\n", file);
      std::fwrite("ab\n", 1, 3, file);
    }
  };
  std::thread worker(writer, 1);
  writer(0);
  worker.join();
  std::printf("%ld bytes\n", std::ftell(file));
  std::fclose(file);
}
