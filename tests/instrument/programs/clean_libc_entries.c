// The twin of race_libc_entries: the same calls, made after the writer was joined.
// CHECK: no-race
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <mntent.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <wchar.h>

// Apart: the compiler would merge the writer's stores to neighbours into one.
_Alignas(64) char* stop;
_Alignas(64) wchar_t wide[8];
_Alignas(64) char narrow[8];
_Alignas(64) char single[8];
_Alignas(64) struct mntent mount;
_Alignas(64) struct shmid_ds segment;
_Alignas(64) struct passwd user;
_Alignas(64) struct passwd* user_found;
_Alignas(64) struct group* group_found;
_Alignas(64) struct statx status;
_Alignas(64) struct timespec slice;

static void* Writer(void* arg) {
  (void)arg;
  stop = NULL;
  wide[0] = 1;
  narrow[0] = 1;
  single[0] = 1;
  mount.mnt_fsname = NULL;
  segment.shm_segsz = 0;
  user.pw_name = NULL;
  user_found = NULL;
  group_found = NULL;
  status.stx_mask = 0;
  slice.tv_sec = -1;
  return NULL;
}

int main(void) {
  FILE* mounts = setmntent("/proc/self/mounts", "r");
  int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  if (!mounts || shm < 0) return 1;
  static char mount_text[4096], user_text[4096], group_text[4096];
  struct group group;
  mbstate_t state;
  memset(&state, 0, sizeof state);
  const char* from = "abc";
  const wchar_t* wide_from = L"xy";
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  pthread_join(t, NULL);
  intmax_t sum = strtoimax("123x", &stop, 10);
  sum += (intmax_t)mbsnrtowcs(wide, &from, 3, 8, &state);
  sum += (intmax_t)wcsnrtombs(narrow, &wide_from, 2, 8, &state);
  sum += wctomb(single, L'q');
  sum += getmntent_r(mounts, &mount, mount_text, sizeof mount_text) != NULL;
  sum += shmctl(shm, IPC_STAT, &segment);
  sum += getpwent_r(&user, user_text, sizeof user_text, &user_found);
  sum += getgrent_r(&group, group_text, sizeof group_text, &group_found);
  sum += statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &status);
  sum += sched_rr_get_interval(0, &slice);
  endmntent(mounts);
  endpwent();
  endgrent();
  shmctl(shm, IPC_RMID, NULL);
  printf("%d\n", sum != 0);
  return 0;
}
