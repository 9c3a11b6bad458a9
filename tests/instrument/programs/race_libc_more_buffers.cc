// More libc calls that read or write the caller's memory, each racing a plain write of
// another thread: strxfrm, strcasestr and strchrnul read strings, wcslen a wide one,
// asprintf its %s argument, inet_ntop an address and inet_pton its text; getcwd, readlink and
// time write their out-parameters. (ThreadSanitizer, clang 14, sees all but inet_pton.)
// CHECK: race collate[0]
// CHECK: race haystack[0]
// CHECK: race sentence[0]
// CHECK: race wide[0]
// CHECK: race argument[0]
// CHECK: race address[0]
// CHECK: race dotted[0]
// CHECK: race cwd[0]
// CHECK: race target[0]
// CHECK: race stamp
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
    collate[0] = 'C';  // RACE
    haystack[0] = 'A';  // RACE
    sentence[0] = 'N';  // RACE
    wide[0] = L'W';  // RACE
    argument[0] = 'F';  // RACE
    address[0] = 10;  // RACE
    dotted[0] = '1';  // RACE
    cwd[0] = '?';  // RACE
    target[0] = '?';  // RACE
    stamp = 1;  // RACE
  });
  char out[64], text[INET_ADDRSTRLEN];
  unsigned char parsed[4];
  long sum = static_cast<long>(strxfrm(out, collate, sizeof out));  // RACE
  sum += strcasestr(haystack, "needle") != nullptr;  // RACE
  sum += *strchrnul(sentence, ';');  // RACE
  sum += static_cast<long>(wcslen(wide));  // RACE
  char* formatted = nullptr;
  sum += asprintf(&formatted, "<%s>", argument);  // RACE
  sum += inet_ntop(AF_INET, address, text, sizeof text) != nullptr;  // RACE
  sum += inet_pton(AF_INET, dotted, parsed);  // RACE
  sum += getcwd(cwd, sizeof cwd) != nullptr;  // RACE
  sum += readlink("/proc/self/exe", target, sizeof target - 1);  // RACE
  sum += time(&stamp) > 0;  // RACE
  writer.join();
  std::printf("%ld %s\n", sum > 0 ? 1L : 0L, formatted);
  free(formatted);
}
