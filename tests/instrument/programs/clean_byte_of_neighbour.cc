// The twin of race_byte_of_word: the byte read is in the neighbouring field, which nobody
// writes, so there is no conflict however the accesses are sized.
// CHECK: no-race
#include <cstdint>
#include <cstdio>
#include <thread>

struct Status {
  uint64_t word = 0;
  uint64_t other = 0;
};
Status status;

int main() {
  std::thread writer([] { status.word = 0x1122334455667788ull; });
  uint8_t b = reinterpret_cast<volatile uint8_t*>(&status.other)[3];
  writer.join();
  std::printf("%x\n", b);
}
