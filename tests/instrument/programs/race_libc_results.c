// Calls that hand results back through the caller's pointers, each racing a plain write of
// another thread: the math functions with a second result (frexp, modf, sincos, remquo,
// lgamma_r), pattern expansion (glob, wordexp), the load average, a timerfd's time, a
// process's CPU clock, thread attribute getters (detach state, stack, CPU set), wait3's
// status, the buffer handed to a stream by setvbuf, getnameinfo's names, mincore's vector
// and swab's output, readdir_r's entry, scandir's list and getgrouplist's groups.
// (ThreadSanitizer, clang 14, sees these too, but swab.) Its twin is
// clean_libc_results.
// LINK: -lm
// BUILD: -Wno-deprecated-declarations
// CHECK: race exponent
// CHECK: race whole
// CHECK: race sine
// CHECK: race quotient
// CHECK: race gamma_sign
// CHECK: race paths.gl_pathc
// CHECK: race words.we_wordc
// CHECK: race load[0]
// CHECK: race timer_now.it_value.tv_sec
// CHECK: race cpu_clock
// CHECK: race detach_state
// CHECK: race stack_size
// CHECK: race cpus
// CHECK: race child_status
// CHECK: race stream_buffer[100]
// CHECK: race host[0]
// CHECK: race service[0]
// CHECK: race resident[0]
// CHECK: race swapped[1]
// CHECK: race entry.d_name[0]
// CHECK: race found
// CHECK: race listed
// CHECK: race group_count
// CHECK: race group_ids[0]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <glob.h>
#include <grp.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

// Apart: the compiler would merge the writer's stores to neighbours into one.
_Alignas(64) int exponent;
_Alignas(64) double whole;
_Alignas(64) double sine, cosine;
_Alignas(64) int quotient;
_Alignas(64) int gamma_sign;
_Alignas(64) glob_t paths;
_Alignas(64) wordexp_t words;
_Alignas(64) double load[3];
_Alignas(64) struct itimerspec timer_now;
_Alignas(64) clockid_t cpu_clock;
_Alignas(64) int detach_state;
_Alignas(64) void* stack_addr;
size_t stack_size;
_Alignas(64) cpu_set_t cpus;
_Alignas(64) int child_status;
_Alignas(64) char stream_buffer[4096];
_Alignas(64) char host[64];
_Alignas(64) char service[32];
_Alignas(64) unsigned char resident[1];
_Alignas(64) char swapped[4];
_Alignas(4096) char page[4096];
_Alignas(64) struct dirent entry;
_Alignas(64) struct dirent* found;
_Alignas(64) struct dirent** listed;
_Alignas(64) int group_count = 16;
_Alignas(64) gid_t group_ids[16];
volatile double x = 12.5;

static void* Writer(void* arg) {
  (void)arg;
  exponent = -1;  // RACE
  whole = -1;  // RACE
  sine = -1;  // RACE
  quotient = -1;  // RACE
  gamma_sign = 0;  // RACE
  paths.gl_pathc = 0;  // RACE
  words.we_wordc = 0;  // RACE
  load[0] = -1;  // RACE
  timer_now.it_value.tv_sec = -1;  // RACE
  cpu_clock = 0;  // RACE
  detach_state = -1;  // RACE
  stack_size = 0;  // RACE
  CPU_SET(0, &cpus);  // RACE
  child_status = -1;  // RACE
  stream_buffer[100] = 1;  // RACE
  host[0] = 1;  // RACE
  service[0] = 1;  // RACE
  resident[0] = 1;  // RACE
  swapped[1] = 1;  // RACE
  entry.d_name[0] = 1;  // RACE
  found = NULL;  // RACE
  listed = NULL;  // RACE
  group_count = 16;  // RACE
  group_ids[0] = 1;  // RACE
  return NULL;
}

int main(void) {
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 20);
  pid_t child = fork();
  if (child == 0) _exit(3);
  FILE* sink = fopen("/dev/null", "w");
  DIR* root = opendir("/");
  if (tfd < 0 || child < 0 || !sink || !root) return 1;
  struct sockaddr_in local;
  memset(&local, 0, sizeof local);
  local.sin_family = AF_INET;
  local.sin_port = htons(80);
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  double sum = frexp(x, &exponent);  // RACE
  sum += modf(x, &whole);  // RACE
  sincos(x, &sine, &cosine);  // RACE
  sum += remquo(x, 3.0, &quotient);  // RACE
  sum += lgamma_r(x, &gamma_sign);  // RACE
  sum += glob("/", 0, NULL, &paths);  // RACE
  sum += wordexp("one two", &words, 0);  // RACE
  sum += getloadavg(load, 3);  // RACE
  sum += timerfd_gettime(tfd, &timer_now);  // RACE
  sum += clock_getcpuclockid(0, &cpu_clock);  // RACE
  sum += pthread_attr_getdetachstate(&attr, &detach_state);  // RACE
  sum += pthread_attr_getstack(&attr, &stack_addr, &stack_size);  // RACE
  sum += pthread_attr_getaffinity_np(&attr, sizeof cpus, &cpus);  // RACE
  sum += wait3(&child_status, 0, NULL);  // RACE
  sum += setvbuf(sink, stream_buffer, _IOFBF, sizeof stream_buffer);  // RACE
  sum += getnameinfo((const struct sockaddr*)&local, sizeof local, host, sizeof host, service,  // RACE
                     sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
  sum += mincore(page, sizeof page, resident);  // RACE
  swab("abcd", swapped, 4);  // RACE
  sum += readdir_r(root, &entry, &found);  // RACE
  int entries = scandir("/", &listed, NULL, alphasort);  // RACE
  sum += getgrouplist("root", 0, group_ids, &group_count);  // RACE
  pthread_join(t, NULL);
  fclose(sink);
  closedir(root);
  for (int i = 0; i < entries; ++i) free(listed[i]);
  free(listed);
  globfree(&paths);
  wordfree(&words);
  printf("%d\n", sum != 0);
  return 0;
}
