// Built with _FORTIFY_SOURCE: a wide copy and explicit_bzero whose length is known only at
// run time become the checked calls __wmemcpy_chk and __explicit_bzero_chk (clang keeps
// wmemset a plain call), each racing a plain write of another thread.
// BUILD: -O2 -D_FORTIFY_SOURCE=2
// CHECK: race copied[0]
// CHECK: race filled[0]
// CHECK: race secret[0]
#include <string.h>
#include <wchar.h>

#include <cstdio>
#include <thread>

wchar_t source[16] = L"threads", copied[16], filled[16];
char secret[16] = "hunter2";

int main(int argc, char**) {
  const size_t n = 4 * static_cast<size_t>(argc);
  std::thread writer([] {
    copied[0] = 0;  // RACE
    filled[0] = 0;  // RACE
    secret[0] = 'h';  // RACE
  });
  wmemcpy(copied, source, n);  // RACE
  wmemset(filled, L'x', n);  // RACE
  explicit_bzero(secret, n);  // RACE
  writer.join();
  std::printf("%d %d\n", static_cast<int>(copied[0]), static_cast<int>(filled[0]));
}
