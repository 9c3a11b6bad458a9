// Time conversions, paths and thread queries that read or write the caller's memory, each
// racing a plain write of another thread: strptime reads its text, mktime reads and writes
// its tm, asctime_r, ctime_r, strftime, realpath and pthread_getname_np fill a buffer,
// clock_getres a timespec and sched_getaffinity a CPU set. (ThreadSanitizer, clang 14, sees
// all but strftime.)
// CHECK: race date_text[0]
// CHECK: race calendar.tm_sec
// CHECK: race asc_text[0]
// CHECK: race ctime_text[0]
// CHECK: race formatted[0]
// CHECK: race resolved[0]
// CHECK: race thread_name[0]
// CHECK: race resolution.tv_sec
// CHECK: race cpus
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
    date_text[0] = '1';  // RACE
    calendar.tm_sec = 0;  // RACE
    asc_text[0] = 0;  // RACE
    ctime_text[0] = 0;  // RACE
    formatted[0] = 0;  // RACE
    resolved[0] = 0;  // RACE
    thread_name[0] = 0;  // RACE
    resolution.tv_sec = 0;  // RACE
    CPU_ZERO(&cpus);  // RACE
  });
  long sum = strptime(date_text, "%Y-%m-%d %H:%M:%S", &parsed) != nullptr;  // RACE
  sum += mktime(&calendar) > 0;  // RACE
  sum += asctime_r(&parsed, asc_text) != nullptr;  // RACE
  sum += ctime_r(&now, ctime_text) != nullptr;  // RACE
  sum += static_cast<long>(strftime(formatted, sizeof formatted, "%Y", &parsed));  // RACE
  sum += realpath(".", resolved) != nullptr;  // RACE
  sum += pthread_getname_np(pthread_self(), thread_name, sizeof thread_name);  // RACE
  sum += clock_getres(CLOCK_MONOTONIC, &resolution);  // RACE
  sum += sched_getaffinity(0, sizeof cpus, &cpus);  // RACE
  writer.join();
  std::printf("%ld\n", sum);
}
