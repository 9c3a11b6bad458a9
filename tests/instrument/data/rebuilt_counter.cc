// A race on `counter`, for stale_program_test: built once, traced, then built again with
// -DPAD (a global before it moves its address) before the trace is analyzed.
#include <thread>

#ifdef PAD
int pad[100] = {1};
#endif
int counter;

void Bump() {
  for (int i = 0; i < 1000; ++i) ++counter;
}

int main() {
  std::thread a(Bump), b(Bump);
  a.join();
  b.join();
  return counter > 0 ? 0 : 1;
}
