// A thread takes a flock on a file, then opens the file again and takes a flock through the
// new descriptor: a flock belongs to the open file description, so the second waits for the
// first, which the same thread holds. The watchdog ends the program; the report names the
// file's lock and both calls. (ThreadSanitizer, clang 14: hangs, no report.) Its twin,
// clean_flock_relocked_through_dup, takes the second lock through a duplicate descriptor,
// which shares the first's open file description: no wait.
// CHECK: exit 86
// CHECK: finding self-deadlock on file lock /tmp/threadlens-flock-twice
// CHECK: no-race
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int main(void) {
  const char* path = "/tmp/threadlens-flock-twice";
  const int first = open(path, O_CREAT | O_RDWR, 0600);
  if (first < 0 || flock(first, LOCK_EX) != 0) return 1;
  const int second = open(path, O_RDWR);
  unlink(path);
  if (second < 0) return 1;
  flock(second, LOCK_EX);  // waits for `first`'s lock
  return 0;
}
