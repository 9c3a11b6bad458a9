// Reentrant tokenizers and generators, strerror_r, temporary-name templates, dirname and
// getaddrinfo, each racing a plain write of another thread: strtok_r and strsep read their
// text and cut it, rand_r, erand48, random_r and drand48_r update the state the caller
// keeps, strerror_r fills a buffer, mkstemp its template, dirname cuts its path, and
// getaddrinfo stores its result. (ThreadSanitizer, clang 14, sees three: rand_r's seed,
// random_r's result and strerror_r's buffer.)
// CHECK: race line[0]
// CHECK: race rest
// CHECK: race seed
// CHECK: race xsubi[0]
// CHECK: race generator.rand_deg
// CHECK: race drawn
// CHECK: race generator48+14
// CHECK: race message[0]
// CHECK: race name_template[0]
// CHECK: race path[0]
// CHECK: race addresses
#include <libgen.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

char line[32] = "alpha,beta";
char fields[32] = "key=value";
char* rest = fields;
unsigned seed = 7;
unsigned short xsubi[3] = {1, 2, 3};
random_data generator;
char generator_state[64];
int32_t drawn;
drand48_data generator48;
double drawn48;
char message[64];
char name_template[32] = "/tmp/threadlensXXXXXX";
char path[32] = "/usr/lib/libc.so";
addrinfo* addresses;

int main() {
  initstate_r(1, generator_state, sizeof generator_state, &generator);
  std::thread writer([] {
    line[0] = 'A';  // RACE
    rest = fields;  // RACE
    seed = 8;  // RACE
    xsubi[0] = 4;  // RACE
    generator.rand_deg = 0;  // RACE
    drawn = 0;  // RACE
    generator48.__init = 1;  // RACE
    message[0] = 0;  // RACE
    name_template[0] = '/';  // RACE
    path[0] = '/';  // RACE
    addresses = nullptr;  // RACE
  });
  char* save = nullptr;
  long sum = strtok_r(line, ",", &save) != nullptr;  // RACE
  sum += strsep(&rest, "=") != nullptr;  // RACE
  sum += rand_r(&seed);  // RACE
  sum += static_cast<long>(erand48(xsubi) * 10);  // RACE
  sum += random_r(&generator, &drawn);  // RACE
  sum += drand48_r(&generator48, &drawn48);  // RACE
  sum += strerror_r(12345, message, sizeof message) != nullptr;  // RACE
  int fd = mkstemp(name_template);  // RACE
  sum += dirname(path) != nullptr;  // RACE
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  sum += getaddrinfo("127.0.0.1", nullptr, &hints, &addresses);  // RACE
  writer.join();
  if (fd >= 0) {
    close(fd);
    unlink(name_template);
  }
  if (addresses) freeaddrinfo(addresses);
  std::printf("%d\n", sum != 0);
}
