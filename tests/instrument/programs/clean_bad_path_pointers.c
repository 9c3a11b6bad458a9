// Calls that take a path, given a pointer nothing is mapped at (each fails with EFAULT) or a
// path with no terminator before unmapped memory, longer than PATH_MAX (ENAMETOOLONG), as
// without the tracer, which must not read such a path itself (the run would crash).
// CHECK: exit 0
// CHECK: no-race
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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
  // Three pages of 'a', the third made inaccessible: the path runs into it.
  char* pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) return 1;
  memset(pages, 'a', 2 * 4096);
  mprotect(pages + 2 * 4096, 4096, PROT_NONE);
  int long_names = 0;
  long_names += stat(pages, &st) < 0 && errno == ENAMETOOLONG;
  long_names += access(pages, F_OK) < 0 && errno == ENAMETOOLONG;
  long_names += open(pages, O_CREAT | O_WRONLY, 0600) < 0 && errno == ENAMETOOLONG;
  long_names += unlink(pages) < 0 && errno == ENAMETOOLONG;
  long_names += fopen(pages, "r") == NULL && errno == ENAMETOOLONG;
  printf("%d %d\n", faults, long_names);
  return faults == 7 && long_names == 5 ? 0 : 1;
}
