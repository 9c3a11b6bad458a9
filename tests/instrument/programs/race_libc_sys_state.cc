// Calls that fill the caller's memory with the system's state, each racing a plain write of
// another thread: getrandom and getentropy fill a buffer, gethostname and confstr a string,
// sysinfo, statfs, fstatvfs, times, getitimer and setitimer (the old value) a struct,
// sigpending a signal set, and ioctl(FIONREAD) an int. (ThreadSanitizer, clang 14, sees
// all but getentropy, gethostname and ioctl.)
// CHECK: race random_bytes[0]
// CHECK: race entropy[0]
// CHECK: race host[0]
// CHECK: race path_conf[0]
// CHECK: race sys_info.uptime
// CHECK: race root_fs.f_type
// CHECK: race root_vfs.f_bsize
// CHECK: race cpu_times.tms_utime
// CHECK: race timer.it_value.tv_sec
// CHECK: race old_timer.it_value.tv_sec
// CHECK: race pending
// CHECK: race queued
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

unsigned char random_bytes[16], entropy[16];
char host[256], path_conf[256];
struct sysinfo sys_info;
struct statfs root_fs;
struct statvfs root_vfs;
tms cpu_times;
itimerval timer, disarmed, old_timer;
sigset_t pending;
int queued;

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  int root = open("/", O_RDONLY);
  std::thread writer([] {
    random_bytes[0] = 1;  // RACE
    entropy[0] = 1;  // RACE
    host[0] = 0;  // RACE
    path_conf[0] = 0;  // RACE
    sys_info.uptime = 0;  // RACE
    root_fs.f_type = 0;  // RACE
    root_vfs.f_bsize = 0;  // RACE
    cpu_times.tms_utime = 0;  // RACE
    timer.it_value.tv_sec = 0;  // RACE
    old_timer.it_value.tv_sec = 0;  // RACE
    memset(&pending, 0, sizeof pending);  // RACE
    queued = -1;  // RACE
  });
  long sum = getrandom(random_bytes, sizeof random_bytes, 0);  // RACE
  sum += getentropy(entropy, sizeof entropy);  // RACE
  sum += gethostname(host, sizeof host);  // RACE
  sum += static_cast<long>(confstr(_CS_PATH, path_conf, sizeof path_conf));  // RACE
  sum += sysinfo(&sys_info);  // RACE
  sum += statfs("/", &root_fs);  // RACE
  sum += fstatvfs(root, &root_vfs);  // RACE
  sum += static_cast<long>(times(&cpu_times));  // RACE
  sum += getitimer(ITIMER_VIRTUAL, &timer);  // RACE
  sum += setitimer(ITIMER_VIRTUAL, &disarmed, &old_timer);  // RACE
  sum += sigpending(&pending);  // RACE
  sum += ioctl(fds[0], FIONREAD, &queued);  // RACE
  writer.join();
  std::printf("%d\n", sum != 0);
}
