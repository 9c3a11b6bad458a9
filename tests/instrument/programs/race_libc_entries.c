// Calls that fill entries and conversions in the caller's memory, each racing a plain write
// of another thread: strtoimax's end pointer, the bounded multibyte conversions
// (mbsnrtowcs, wcsnrtombs) and wctomb, a mount table entry (getmntent_r), a shared memory
// segment's status (shmctl IPC_STAT), the user and group enumerations (getpwent_r,
// getgrent_r: entry and result pointer), statx's result and sched_rr_get_interval's time
// slice. (ThreadSanitizer, clang 14, sees these too, but statx and
// sched_rr_get_interval.) Its twin is clean_libc_entries.
// CHECK: race stop
// CHECK: race wide[0]
// CHECK: race narrow[0]
// CHECK: race single[0]
// CHECK: race mount.mnt_fsname
// CHECK: race segment.shm_segsz
// CHECK: race user.pw_name
// CHECK: race user_found
// CHECK: race group_found
// CHECK: race status.stx_mask
// CHECK: race slice.tv_sec
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
  stop = NULL;  // RACE
  wide[0] = 1;  // RACE
  narrow[0] = 1;  // RACE
  single[0] = 1;  // RACE
  mount.mnt_fsname = NULL;  // RACE
  segment.shm_segsz = 0;  // RACE
  user.pw_name = NULL;  // RACE
  user_found = NULL;  // RACE
  group_found = NULL;  // RACE
  status.stx_mask = 0;  // RACE
  slice.tv_sec = -1;  // RACE
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
  intmax_t sum = strtoimax("123x", &stop, 10);  // RACE
  sum += (intmax_t)mbsnrtowcs(wide, &from, 3, 8, &state);  // RACE
  sum += (intmax_t)wcsnrtombs(narrow, &wide_from, 2, 8, &state);  // RACE
  sum += wctomb(single, L'q');  // RACE
  sum += getmntent_r(mounts, &mount, mount_text, sizeof mount_text) != NULL;  // RACE
  sum += shmctl(shm, IPC_STAT, &segment);  // RACE
  sum += getpwent_r(&user, user_text, sizeof user_text, &user_found);  // RACE
  sum += getgrent_r(&group, group_text, sizeof group_text, &group_found);  // RACE
  sum += statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &status);  // RACE
  sum += sched_rr_get_interval(0, &slice);  // RACE
  pthread_join(t, NULL);
  endmntent(mounts);
  endpwent();
  endgrent();
  shmctl(shm, IPC_RMID, NULL);
  printf("%d\n", sum != 0);
  return 0;
}
