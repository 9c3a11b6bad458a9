// The twin of race_libc_more_buffers: the same calls, made after the join that orders the
// writer's stores before them.
// CHECK: no-race
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <thread>

char collate[16] = "collate", haystack[32] = "a Needle in a haystack";
char sentence[32] = "no semicolon here", argument[16] = "formatted", dotted[16] = "10.0.0.1";
wchar_t wide[8] = L"wide";
unsigned char address[4] = {127, 0, 0, 1};
char cwd[256], target[256];
time_t stamp;

int main() {
  std::thread writer([] {
    collate[0] = 'C';
    haystack[0] = 'A';
    sentence[0] = 'N';
    wide[0] = L'W';
    argument[0] = 'F';
    address[0] = 10;
    dotted[0] = '1';
    cwd[0] = '?';
    target[0] = '?';
    stamp = 1;
  });
  writer.join();
  char out[64], text[INET_ADDRSTRLEN];
  unsigned char parsed[4];
  long sum = static_cast<long>(strxfrm(out, collate, sizeof out));
  sum += strcasestr(haystack, "needle") != nullptr;
  sum += *strchrnul(sentence, ';');
  sum += static_cast<long>(wcslen(wide));
  char* formatted = nullptr;
  sum += asprintf(&formatted, "<%s>", argument);
  sum += inet_ntop(AF_INET, address, text, sizeof text) != nullptr;
  sum += inet_pton(AF_INET, dotted, parsed);
  sum += getcwd(cwd, sizeof cwd) != nullptr;
  sum += readlink("/proc/self/exe", target, sizeof target - 1);
  sum += time(&stamp) > 0;
  std::printf("%ld %s\n", sum > 0 ? 1L : 0L, formatted);
  free(formatted);
}
