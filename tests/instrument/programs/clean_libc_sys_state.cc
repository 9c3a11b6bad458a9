// The twin of race_libc_sys_state: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
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
    random_bytes[0] = 1;
    entropy[0] = 1;
    host[0] = 0;
    path_conf[0] = 0;
    sys_info.uptime = 0;
    root_fs.f_type = 0;
    root_vfs.f_bsize = 0;
    cpu_times.tms_utime = 0;
    timer.it_value.tv_sec = 0;
    old_timer.it_value.tv_sec = 0;
    memset(&pending, 0, sizeof pending);
    queued = -1;
  });
  writer.join();
  long sum = getrandom(random_bytes, sizeof random_bytes, 0);
  sum += getentropy(entropy, sizeof entropy);
  sum += gethostname(host, sizeof host);
  sum += static_cast<long>(confstr(_CS_PATH, path_conf, sizeof path_conf));
  sum += sysinfo(&sys_info);
  sum += statfs("/", &root_fs);
  sum += fstatvfs(root, &root_vfs);
  sum += static_cast<long>(times(&cpu_times));
  sum += getitimer(ITIMER_VIRTUAL, &timer);
  sum += setitimer(ITIMER_VIRTUAL, &disarmed, &old_timer);
  sum += sigpending(&pending);
  sum += ioctl(fds[0], FIONREAD, &queued);
  std::printf("%d\n", sum != 0);
}
