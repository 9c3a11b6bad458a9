// The twin of race_libc_reentrant: the same calls, made after the writer was joined.
// LINK: -lcrypt
// BUILD: -Wno-deprecated-declarations
// CHECK: no-race
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
  frames[0] = NULL;
  narrow[0] = 1;
  wide = 1;
  seeds[0] = 1;
  generator.__x[0] = 1;
  state_bytes[0] = 1;
  digits[0] = 1;
  shortest[0] = 1;
  host_found = NULL;
  service_found = NULL;
  ether_text[0] = 1;
  work_area[0] = 1;
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
  pthread_join(t, NULL);
  int depth = backtrace(frames, 4);
  size_t bytes = wcrtomb(narrow, L'a', &shift);
  bytes += mbrtowc(&wide, "b", 1, &shift);
  erand48_r(seeds, &generator, &d);
  srand48_r(7, &generator);
  initstate_r(1, state_bytes, sizeof state_bytes, &random_state);
  ecvt_r(x, 3, &point, &negative, digits, sizeof digits);
  gcvt(x, 4, shortest);
  gethostbyname_r("localhost", &host, host_buffer, sizeof host_buffer, &host_found,
                  &host_error);
  getservbyname_r("no-such-service", "tcp", &service, service_buffer,
                  sizeof service_buffer, &service_found);
  ether_ntoa_r(&mac, ether_text);
  hashed = crypt_r("secret", "ab", work_area);
  printf("%d %zu %d\n", depth > 0, bytes, hashed != NULL);
  return 0;
}
