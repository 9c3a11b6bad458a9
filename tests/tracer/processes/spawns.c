/* posix_spawn as an edge: the parent writes `data` in a POSIX shared memory object before
 * (mode "spawn") or after ("spawn-late", the race twin) it spawns itself again; the spawned
 * program maps the object and reads `data`. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threadlens/threadlens.h"

extern char** environ;

static long* map_object(const char* name, int flags) {
  int fd = shm_open(name, flags, 0600);
  if (fd < 0 || ((flags & O_CREAT) && ftruncate(fd, 4096) != 0)) return NULL;
  long* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "child") == 0) {
    long* data = map_object(argv[2], O_RDWR);
    if (!data) return 1;
    printf("child saw %ld\n", data[3]);
    return 0;
  }
  const int late = argc > 1 && strcmp(argv[1], "spawn-late") == 0;
  char name[64];
  snprintf(name, sizeof name, "/threadlens-spawn-%d", (int)getpid());
  long* data = map_object(name, O_CREAT | O_EXCL | O_RDWR);
  if (!data) return 1;
  threadlens_name_variable(&data[3], sizeof data[3], "data");
  if (!late) data[3] = 7;
  char* child_argv[] = {argv[0], "child", name, NULL};
  pid_t pid;
  fflush(stdout);
  if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, child_argv, environ) != 0) return 1;
  if (late) data[3] = 7;
  int status = 0;
  waitpid(pid, &status, 0);
  shm_unlink(name);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
