/* Two threads walk libc's enumerations with nothing between them: getpwent, getgrent and
 * getmntent return a static entry that each call overwrites (beside the position the
 * enumeration keeps), and ptsname a static name. Each call writes its entry or name.
 * (ThreadSanitizer, clang 14, sees the first three, not ptsname.) Its twin is
 * clean_libc_enumerations. */
// CHECK: race the entry of getpwent
// CHECK: race the entry of getgrent
// CHECK: race the entry of getmntent
// CHECK: race the name of ptsname
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
  const struct passwd* user = getpwent();  // RACE
  const struct group* group = getgrent();  // RACE
  const struct mntent* mount = getmntent(mounts);  // RACE
  const char* name = ptsname(terminal);  // RACE
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
  pthread_create(&b, NULL, worker, second);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  endmntent(first);
  endmntent(second);
  endpwent();
  endgrent();
  close(terminal);
  return 0;
}
