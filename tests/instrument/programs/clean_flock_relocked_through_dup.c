// The twin of self_deadlock_flock_second_descriptor: the second flock goes through dup() of
// the first descriptor, the same open file description, which already holds the lock.
// CHECK: exit 0
// CHECK: no-finding self-deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int main(void) {
  const char* path = "/tmp/threadlens-flock-twice-dup";
  const int first = open(path, O_CREAT | O_RDWR, 0600);
  if (first < 0 || flock(first, LOCK_EX) != 0) return 1;
  const int second = dup(first);
  unlink(path);
  if (second < 0 || flock(second, LOCK_EX) != 0) return 1;
  flock(second, LOCK_UN);
  close(second);
  close(first);
  return 0;
}
