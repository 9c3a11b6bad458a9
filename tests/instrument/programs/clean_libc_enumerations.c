/* The twin of race_libc_enumerations: the same calls, one thread after the other (the join
 * orders the first thread's calls before the second's). */
// CHECK: no-race
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <mntent.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int terminal;

static void* worker(void* arg) {
  FILE* mounts = arg;
  const struct passwd* user = getpwent();
  const struct group* group = getgrent();
  const struct mntent* mount = getmntent(mounts);
  const char* name = ptsname(terminal);
  printf("%d %d %d %d\n", user != NULL, group != NULL, mount != NULL, name != NULL);
  return NULL;
}

int main(void) {
  terminal = posix_openpt(O_RDWR | O_NOCTTY);
  FILE* first = setmntent("/proc/self/mounts", "r");
  FILE* second = setmntent("/proc/self/mounts", "r");
  if (terminal < 0 || !first || !second) return 1;
  pthread_t a, b;
  pthread_create(&a, NULL, worker, first);
  pthread_join(a, NULL);
  pthread_create(&b, NULL, worker, second);
  pthread_join(b, NULL);
  endmntent(first);
  endmntent(second);
  endpwent();
  endgrent();
  close(terminal);
  return 0;
}
