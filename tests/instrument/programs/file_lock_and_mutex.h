/* Two threads take a file's lock and the mutex `table` in opposite orders, one after the
   other: the writer the file's lock, then the mutex; the indexer, once the writer is done
   (it waits for a file the writer creates, with no memory between them), the mutex, then the
   file's lock, through a descriptor of its own. No run deadlocks. The including program
   defines FILE_LOCK_PATH and FILE_LOCK(fd) / FILE_UNLOCK(fd), its kind of lock, and may
   define INDEXER_LOCK(fd), the indexer's own (shared by lock_order_flock_and_mutex,
   lock_order_ofd_lock_and_mutex, clean_flock_shared_and_mutex_opposite_orders,
   clean_fcntl_lock_and_mutex_opposite_orders and clean_flock_nonblocking_and_mutex). */
#pragma once

#ifndef INDEXER_LOCK
#define INDEXER_LOCK(fd) FILE_LOCK(fd)
#endif

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

// fcntl's lock command `cmd` (F_SETLKW, F_OFD_SETLKW) of `type` on the whole file: a
// FILE_LOCK of the including program's.
static inline int WholeFileLock(int fd, int cmd, short type) {
  struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  return fcntl(fd, cmd, &l);
}

static const char path[] = FILE_LOCK_PATH;
static const char done[] = FILE_LOCK_PATH ".done";
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static long rows;

static void* Writer(void* arg) {
  const int fd = open(path, O_RDWR);
  if (fd < 0 || FILE_LOCK(fd) != 0) exit(1);
  pthread_mutex_lock(&table);
  ++rows;
  pthread_mutex_unlock(&table);
  FILE_UNLOCK(fd);
  close(fd);
  close(open(done, O_CREAT | O_WRONLY, 0600));  // says it is done
  return arg;
}

static void* Indexer(void* arg) {
  while (access(done, F_OK) != 0) usleep(10 * 1000);  // until the writer is done
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  pthread_mutex_lock(&table);
  if (INDEXER_LOCK(fd) != 0) exit(1);
  ++rows;
  close(fd);  // gives the lock up
  pthread_mutex_unlock(&table);
  return arg;
}

int main(void) {
  unlink(done);
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0) return 1;
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, NULL);
  pthread_create(&b, NULL, Indexer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  close(fd);
  unlink(path);
  unlink(done);
  return rows == 2 ? 0 : 1;
}
