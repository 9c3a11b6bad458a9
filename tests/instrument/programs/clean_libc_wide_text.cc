// The twin of race_libc_wide_text: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
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
    copied[0] = 0;
    bounded[0] = 0;
    joined[0] = L'T';
    compared[0] = L'T';
    searched[0] = L'T';
    block[0] = 0;
    filled[0] = 0;
    blocks_compared[0] = L'T';
    widened[0] = 0;
    narrowed[0] = 0;
    restarted[0] = 0;
    renarrowed[0] = 0;
  });
  writer.join();
  long sum = wcscpy(copied, source) != nullptr;
  sum += wcsncpy(bounded, source, 16) != nullptr;
  sum += wcscat(joined, source) != nullptr;
  sum += wcscmp(compared, source);
  sum += wcschr(searched, L's') != nullptr;
  sum += wmemcpy(block, source, 8) != nullptr;
  sum += wmemset(filled, L'x', 16) != nullptr;
  sum += wmemcmp(blocks_compared, source, 8);
  sum += static_cast<long>(mbstowcs(widened, narrow, 16));
  sum += static_cast<long>(wcstombs(narrowed, source, 16));
  const char* from = narrow;
  mbstate_t state{};
  sum += static_cast<long>(mbsrtowcs(restarted, &from, 16, &state));
  const wchar_t* wide_from = source;
  mbstate_t wide_state{};
  sum += static_cast<long>(wcsrtombs(renarrowed, &wide_from, 16, &wide_state));
  std::printf("%d\n", sum != 0);
}
