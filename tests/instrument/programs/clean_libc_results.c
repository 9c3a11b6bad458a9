// The twin of race_libc_results: the same calls, made after the writer was joined.
// LINK: -lm
// BUILD: -Wno-deprecated-declarations
// CHECK: no-race
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
  exponent = -1;
  whole = -1;
  sine = -1;
  quotient = -1;
  gamma_sign = 0;
  paths.gl_pathc = 0;
  words.we_wordc = 0;
  load[0] = -1;
  timer_now.it_value.tv_sec = -1;
  cpu_clock = 0;
  detach_state = -1;
  stack_size = 0;
  CPU_SET(0, &cpus);
  child_status = -1;
  stream_buffer[100] = 1;
  host[0] = 1;
  service[0] = 1;
  resident[0] = 1;
  swapped[1] = 1;
  entry.d_name[0] = 1;
  found = NULL;
  listed = NULL;
  group_count = 16;
  group_ids[0] = 1;
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
  pthread_join(t, NULL);
  double sum = frexp(x, &exponent);
  sum += modf(x, &whole);
  sincos(x, &sine, &cosine);
  sum += remquo(x, 3.0, &quotient);
  sum += lgamma_r(x, &gamma_sign);
  sum += glob("/", 0, NULL, &paths);
  sum += wordexp("one two", &words, 0);
  sum += getloadavg(load, 3);
  sum += timerfd_gettime(tfd, &timer_now);
  sum += clock_getcpuclockid(0, &cpu_clock);
  sum += pthread_attr_getdetachstate(&attr, &detach_state);
  sum += pthread_attr_getstack(&attr, &stack_addr, &stack_size);
  sum += pthread_attr_getaffinity_np(&attr, sizeof cpus, &cpus);
  sum += wait3(&child_status, 0, NULL);
  sum += setvbuf(sink, stream_buffer, _IOFBF, sizeof stream_buffer);
  sum += getnameinfo((const struct sockaddr*)&local, sizeof local, host, sizeof host, service,
                     sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
  sum += mincore(page, sizeof page, resident);
  swab("abcd", swapped, 4);
  sum += readdir_r(root, &entry, &found);
  int entries = scandir("/", &listed, NULL, alphasort);
  sum += getgrouplist("root", 0, group_ids, &group_count);
  fclose(sink);
  closedir(root);
  for (int i = 0; i < entries; ++i) free(listed[i]);
  free(listed);
  globfree(&paths);
  wordfree(&words);
  printf("%d\n", sum != 0);
  return 0;
}
