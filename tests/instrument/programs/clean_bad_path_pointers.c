// Calls that take a path, given a pointer nothing is mapped at: each fails with EFAULT, as
// without the tracer, which must not read the path itself (the run would crash).
// CHECK: exit 0
// CHECK: no-race
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  const char* bad = (const char*)8;
  struct stat st;
  int faults = 0;
  faults += unlink(bad) < 0 && errno == EFAULT;
  faults += rename(bad, bad) < 0 && errno == EFAULT;
  faults += mkdir(bad, 0700) < 0 && errno == EFAULT;
  faults += stat(bad, &st) < 0 && errno == EFAULT;
  faults += access(bad, F_OK) < 0 && errno == EFAULT;
  faults += open(bad, O_CREAT | O_WRONLY, 0600) < 0 && errno == EFAULT;
  faults += fopen(bad, "w") == NULL && errno == EFAULT;
  printf("%d\n", faults);
  return faults == 7 ? 0 : 1;
}
