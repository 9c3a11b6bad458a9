// A program built with _FILE_OFFSET_BITS=64 calls the C library's 64-bit entry points
// (preadv64, pwritev64, statfs64, fstatfs64, statvfs64, fstatvfs64) under the plain names:
// each races a plain access of another thread. (ThreadSanitizer, clang 14, sees the
// preadv64, statfs64 and statvfs64 races.) Its twin is clean_libc_offset64.
// CHECK: race read_buffer[0]
// CHECK: race write_buffer[0]
// CHECK: race by_path.f_bsize
// CHECK: race by_fd.f_bsize
// CHECK: race vfs_by_path.f_bsize
// CHECK: race vfs_by_fd.f_bsize
#define _FILE_OFFSET_BITS 64
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

// Apart: the compiler would merge the writer's stores to neighbours into one.
_Alignas(64) char read_buffer[16];
_Alignas(64) char write_buffer[16] = "threadlens";
_Alignas(64) struct statfs by_path;
_Alignas(64) struct statfs by_fd;
_Alignas(64) struct statvfs vfs_by_path;
_Alignas(64) struct statvfs vfs_by_fd;

static void* Writer(void* arg) {
  (void)arg;
  read_buffer[0] = 1;  // RACE
  write_buffer[0] = 'T';  // RACE
  by_path.f_bsize = 0;  // RACE
  by_fd.f_bsize = 0;  // RACE
  vfs_by_path.f_bsize = 0;  // RACE
  vfs_by_fd.f_bsize = 0;  // RACE
  return NULL;
}

int main(void) {
  char name[] = "/tmp/threadlens-offset64-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) return 1;
  unlink(name);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  struct iovec out = {write_buffer, sizeof write_buffer};
  long sum = pwritev(fd, &out, 1, 0);  // RACE
  struct iovec in = {read_buffer, sizeof read_buffer};
  sum += preadv(fd, &in, 1, 0);  // RACE
  sum += statfs("/", &by_path);  // RACE
  sum += fstatfs(fd, &by_fd);  // RACE
  sum += statvfs("/", &vfs_by_path);  // RACE
  sum += fstatvfs(fd, &vfs_by_fd);  // RACE
  pthread_join(t, NULL);
  close(fd);
  printf("%d\n", sum != 0);
  return 0;
}
