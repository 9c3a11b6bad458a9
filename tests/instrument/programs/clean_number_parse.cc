// The twin of race_number_parse: the buffers are parsed after the join. And a conversion
// reads only up to where it stopped: the filler's unordered write to the tail of `line`,
// past the "42 " atoi read, is no race.
// CHECK: no-race
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

char digits[16] = "12345";
char decimals[16] = "2.5";
char line[32] = "42 and the rest";

int main() {
  std::thread filler([] {
    std::memcpy(digits, "67890", 6);
    std::memcpy(decimals, "7.25", 5);
    line[8] = '!';  // inside the string, past "42 " where atoi stops
  });
  int head = std::atoi(line);
  filler.join();
  char* end = nullptr;
  long n = std::strtol(digits, &end, 10);
  double d = std::strtod(decimals, nullptr);
  std::printf("%d %ld %g %s\n", head, n, d, end);
}
