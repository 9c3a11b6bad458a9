// The twin of race_fortify_wide: the same checked calls after the join that orders the
// writer's stores before them.
// BUILD: -O2 -D_FORTIFY_SOURCE=2
// CHECK: no-race
#include <string.h>
#include <wchar.h>

#include <cstdio>
#include <thread>

wchar_t source[16] = L"threads", copied[16], filled[16];
char secret[16] = "hunter2";

int main(int argc, char**) {
  const size_t n = 4 * static_cast<size_t>(argc);
  std::thread writer([] {
    copied[0] = 0;
    filled[0] = 0;
    secret[0] = 'h';
  });
  writer.join();
  wmemcpy(copied, source, n);
  wmemset(filled, L'x', n);
  explicit_bzero(secret, n);
  std::printf("%d %d\n", static_cast<int>(copied[0]), static_cast<int>(filled[0]));
}
