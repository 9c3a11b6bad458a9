// A std::jthread counts until its stop_token says stop; the jthread's destructor requests
// the stop and joins, and only then main reads the count. ThreadSanitizer (clang 14)
// agrees: no race.
// CHECK: no-race
#include <chrono>
#include <cstdio>
#include <stop_token>
#include <thread>

int counter;

int main() {
  {
    std::jthread t([](std::stop_token st) {
      while (!st.stop_requested()) {
        ++counter;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::printf("%d\n", counter > 0);
}
