// Wide strings and multibyte conversions, each racing a plain write of another thread:
// wcscpy, wcsncpy, wcscat, wmemcpy, wmemset, mbstowcs, wcstombs, mbsrtowcs and wcsrtombs
// write their destination, wcscmp, wcschr and wmemcmp read their strings. (ThreadSanitizer,
// clang 14, sees the five last: wcscat and the four conversions.)
// CHECK: race copied[0]
// CHECK: race bounded[0]
// CHECK: race joined[0]
// CHECK: race compared[0]
// CHECK: race searched[0]
// CHECK: race block[0]
// CHECK: race filled[0]
// CHECK: race blocks_compared[0]
// CHECK: race widened[0]
// CHECK: race narrowed[0]
// CHECK: race restarted[0]
// CHECK: race renarrowed[0]
#include <string.h>
#include <wchar.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

const wchar_t source[] = L"threads";
wchar_t copied[16], bounded[16], joined[32] = L"two ", compared[16] = L"threads";
wchar_t searched[16] = L"threads", block[16], filled[16], blocks_compared[16] = L"threads";
wchar_t widened[16], restarted[16];
char narrowed[16], renarrowed[16];
const char narrow[] = "threads";

int main() {
  std::thread writer([] {
    copied[0] = 0;  // RACE
    bounded[0] = 0;  // RACE
    joined[0] = L'T';  // RACE
    compared[0] = L'T';  // RACE
    searched[0] = L'T';  // RACE
    block[0] = 0;  // RACE
    filled[0] = 0;  // RACE
    blocks_compared[0] = L'T';  // RACE
    widened[0] = 0;  // RACE
    narrowed[0] = 0;  // RACE
    restarted[0] = 0;  // RACE
    renarrowed[0] = 0;  // RACE
  });
  long sum = wcscpy(copied, source) != nullptr;  // RACE
  sum += wcsncpy(bounded, source, 16) != nullptr;  // RACE
  sum += wcscat(joined, source) != nullptr;  // RACE
  sum += wcscmp(compared, source);  // RACE
  sum += wcschr(searched, L's') != nullptr;  // RACE
  sum += wmemcpy(block, source, 8) != nullptr;  // RACE
  sum += wmemset(filled, L'x', 16) != nullptr;  // RACE
  sum += wmemcmp(blocks_compared, source, 8);  // RACE
  sum += static_cast<long>(mbstowcs(widened, narrow, 16));  // RACE
  sum += static_cast<long>(wcstombs(narrowed, source, 16));  // RACE
  const char* from = narrow;
  mbstate_t state{};
  sum += static_cast<long>(mbsrtowcs(restarted, &from, 16, &state));  // RACE
  const wchar_t* wide_from = source;
  mbstate_t wide_state{};
  sum += static_cast<long>(wcsrtombs(renarrowed, &wide_from, 16, &wide_state));  // RACE
  writer.join();
  std::printf("%d\n", sum != 0);
}
