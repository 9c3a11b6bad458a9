// Reentrant calls that fill the caller's buffers, each racing a plain write of another
// thread: the call stack's addresses (backtrace), the multibyte conversions of one character
// (wcrtomb, mbrtowc) and their state, the random generators' seeds and state (erand48_r,
// srand48_r, initstate_r), the digits of ecvt_r and gcvt, the host and service lookups
// (gethostbyname_r, getservbyname_r: the result pointer, whether found or not),
// ether_ntoa_r's text and crypt_r's hash. (ThreadSanitizer, clang 14, sees backtrace,
// wcrtomb, gethostbyname_r, ether_ntoa_r and crypt_r; not mbrtowc, erand48_r, srand48_r,
// initstate_r, ecvt_r, gcvt nor getservbyname_r.) Its twin is clean_libc_reentrant.
// LINK: -lcrypt
// BUILD: -Wno-deprecated-declarations
// CHECK: race frames[0]
// CHECK: race narrow[0]
// CHECK: race wide
// CHECK: race seeds[0]
// CHECK: race generator[0]
// CHECK: race state_bytes[0]
// CHECK: race digits[0]
// CHECK: race shortest[0]
// CHECK: race host_found
// CHECK: race service_found
// CHECK: race ether_text[0]
// CHECK: race work_area[0]
#define _GNU_SOURCE
#include <execinfo.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

char* crypt_r(const char* key, const char* salt, void* data);

// Apart: the compiler would merge the writer's stores to neighbours into one.
_Alignas(64) void* frames[4];
_Alignas(64) char narrow[8];
_Alignas(64) wchar_t wide;
_Alignas(64) unsigned short seeds[3];
_Alignas(64) struct drand48_data generator;
_Alignas(64) char state_bytes[64];
_Alignas(64) struct random_data random_state;
_Alignas(64) char digits[32];
_Alignas(64) char shortest[32];
_Alignas(64) struct hostent* host_found;
_Alignas(64) struct servent* service_found;
_Alignas(64) char ether_text[32];
_Alignas(64) char* hashed;
_Alignas(64) char work_area[1 << 17];  // crypt_r's, its result first
volatile double x = 12.5;

static void* Writer(void* arg) {
  (void)arg;
  frames[0] = NULL;  // RACE
  narrow[0] = 1;  // RACE
  wide = 1;  // RACE
  seeds[0] = 1;  // RACE
  generator.__x[0] = 1;  // RACE
  state_bytes[0] = 1;  // RACE
  digits[0] = 1;  // RACE
  shortest[0] = 1;  // RACE
  host_found = NULL;  // RACE
  service_found = NULL;  // RACE
  ether_text[0] = 1;  // RACE
  work_area[0] = 1;  // RACE
  return NULL;
}

int main(void) {
  mbstate_t shift;
  memset(&shift, 0, sizeof shift);
  struct hostent host;
  struct servent service;
  static char host_buffer[4096], service_buffer[4096];
  int host_error = 0, point = 0, negative = 0;
  struct ether_addr mac = {{0, 1, 2, 3, 4, 5}};
  double d = 0;
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  int depth = backtrace(frames, 4);  // RACE
  size_t bytes = wcrtomb(narrow, L'a', &shift);  // RACE
  bytes += mbrtowc(&wide, "b", 1, &shift);  // RACE
  erand48_r(seeds, &generator, &d);  // RACE
  srand48_r(7, &generator);  // RACE
  initstate_r(1, state_bytes, sizeof state_bytes, &random_state);  // RACE
  ecvt_r(x, 3, &point, &negative, digits, sizeof digits);  // RACE
  gcvt(x, 4, shortest);  // RACE
  gethostbyname_r("localhost", &host, host_buffer, sizeof host_buffer, &host_found,  // RACE
                  &host_error);
  getservbyname_r("no-such-service", "tcp", &service, service_buffer,  // RACE
                  sizeof service_buffer, &service_found);
  ether_ntoa_r(&mac, ether_text);  // RACE
  hashed = crypt_r("secret", "ab", work_area);  // RACE
  pthread_join(t, NULL);
  printf("%d %zu %d\n", depth > 0, bytes, hashed != NULL);
  return 0;
}
