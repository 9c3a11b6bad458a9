// The twin of race_libc_offset64: the same calls, made after the writer was joined.
// CHECK: no-race
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
  read_buffer[0] = 1;
  write_buffer[0] = 'T';
  by_path.f_bsize = 0;
  by_fd.f_bsize = 0;
  vfs_by_path.f_bsize = 0;
  vfs_by_fd.f_bsize = 0;
  return NULL;
}

int main(void) {
  char name[] = "/tmp/threadlens-offset64-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) return 1;
  unlink(name);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  pthread_join(t, NULL);
  struct iovec out = {write_buffer, sizeof write_buffer};
  long sum = pwritev(fd, &out, 1, 0);
  struct iovec in = {read_buffer, sizeof read_buffer};
  sum += preadv(fd, &in, 1, 0);
  sum += statfs("/", &by_path);
  sum += fstatfs(fd, &by_fd);
  sum += statvfs("/", &vfs_by_path);
  sum += fstatvfs(fd, &vfs_by_fd);
  close(fd);
  printf("%d\n", sum != 0);
  return 0;
}
