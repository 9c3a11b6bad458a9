// A number parsed from a buffer another thread is still filling: strtol (what atoi becomes
// with optimization) and strtod read the digits, and nothing orders them with the copy.
// ThreadSanitizer (clang 14) does not see the conversions' reads.
// CHECK: race digits[0]
// CHECK: race decimals[0]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

char digits[16] = "12345";
char decimals[16] = "2.5";

int main() {
  std::thread filler([] {
    std::memcpy(digits, "67890", 6);  // RACE
    std::memcpy(decimals, "7.25", 5);  // RACE
  });
  long n = std::strtol(digits, nullptr, 10);  // RACE
  double d = std::strtod(decimals, nullptr);  // RACE
  filler.join();
  std::printf("%ld %g\n", n, d);
}
