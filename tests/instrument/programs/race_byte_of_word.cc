// A status word written whole by one thread while another reads one byte of it: an 8-byte
// write and a 1-byte read at offset 3 conflict.
// CHECK: race *
#include <cstdint>
#include <cstdio>
#include <thread>

struct Status {
  uint64_t word = 0;
  uint64_t other = 0;
};
Status status;

int main() {
  std::thread writer([] { status.word = 0x1122334455667788ull; });  // RACE
  uint8_t b = reinterpret_cast<volatile uint8_t*>(&status.word)[3];  // RACE
  writer.join();
  std::printf("%x\n", b);
}
