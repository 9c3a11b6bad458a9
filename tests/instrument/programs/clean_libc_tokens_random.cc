// The twin of race_libc_tokens_random: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
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
    line[0] = 'A';
    rest = fields;
    seed = 8;
    xsubi[0] = 4;
    generator.rand_deg = 0;
    drawn = 0;
    generator48.__init = 1;
    message[0] = 0;
    name_template[0] = '/';
    path[0] = '/';
    addresses = nullptr;
  });
  writer.join();
  char* save = nullptr;
  long sum = strtok_r(line, ",", &save) != nullptr;
  sum += strsep(&rest, "=") != nullptr;
  sum += rand_r(&seed);
  sum += static_cast<long>(erand48(xsubi) * 10);
  sum += random_r(&generator, &drawn);
  sum += drand48_r(&generator48, &drawn48);
  sum += strerror_r(12345, message, sizeof message) != nullptr;
  int fd = mkstemp(name_template);
  sum += dirname(path) != nullptr;
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  sum += getaddrinfo("127.0.0.1", nullptr, &hints, &addresses);
  if (fd >= 0) {
    close(fd);
    unlink(name_template);
  }
  if (addresses) freeaddrinfo(addresses);
  std::printf("%d\n", sum != 0);
}
