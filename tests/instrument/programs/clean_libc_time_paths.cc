// The twin of race_libc_time_paths: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <thread>

char date_text[32] = "2024-01-02 03:04:05";
tm calendar, parsed;
char asc_text[64], ctime_text[64], formatted[64], resolved[4096], thread_name[16];
timespec resolution;
cpu_set_t cpus;

int main() {
  time_t now = time(nullptr);
  localtime_r(&now, &calendar);
  std::thread writer([] {
    date_text[0] = '1';
    calendar.tm_sec = 0;
    asc_text[0] = 0;
    ctime_text[0] = 0;
    formatted[0] = 0;
    resolved[0] = 0;
    thread_name[0] = 0;
    resolution.tv_sec = 0;
    CPU_ZERO(&cpus);
  });
  writer.join();
  long sum = strptime(date_text, "%Y-%m-%d %H:%M:%S", &parsed) != nullptr;
  sum += mktime(&calendar) > 0;
  sum += asctime_r(&parsed, asc_text) != nullptr;
  sum += ctime_r(&now, ctime_text) != nullptr;
  sum += static_cast<long>(strftime(formatted, sizeof formatted, "%Y", &parsed));
  sum += realpath(".", resolved) != nullptr;
  sum += pthread_getname_np(pthread_self(), thread_name, sizeof thread_name);
  sum += clock_getres(CLOCK_MONOTONIC, &resolution);
  sum += sched_getaffinity(0, sizeof cpus, &cpus);
  std::printf("%ld\n", sum);
}
