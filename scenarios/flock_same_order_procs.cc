// Scenario flock_same_order_procs: the fix of flock_order_procs. The compactor takes the
// spool's flock first too, then the index's, as delivery does: one order, no cycle, whatever
// the timing.
//
// STORY: delivery and the compactor both lock the spool, then the index
// EXPECT: clean
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

const char* kSpool = "/tmp/threadlens-scenario-spool-ordered.lock";
const char* kIndex = "/tmp/threadlens-scenario-index-ordered.lock";

// Locks `first`, then `second` (flock, through descriptors of its own), does its work, and
// gives both up.
void UnderBoth(const char* first, const char* second, const char* work) {
  const int a = open(first, O_CREAT | O_RDWR, 0600), b = open(second, O_CREAT | O_RDWR, 0600);
  if (a < 0 || b < 0 || flock(a, LOCK_EX) != 0 || flock(b, LOCK_EX) != 0) _exit(1);
  std::printf("%s\n", work);
  std::fflush(stdout);
  close(b);
  close(a);
}

}  // namespace

int main() {
  // Delivery says it is done with a file; the compactor waits for it (no memory between).
  const std::string done = "/tmp/threadlens-scenario-delivered-ordered." + std::to_string(getpid());
  unlink(done.c_str());
  const pid_t compactor = fork();
  if (compactor == 0) {
    while (access(done.c_str(), F_OK) != 0) usleep(10 * 1000);
    UnderBoth(kSpool, kIndex, "compactor: index rewritten, spool trimmed");  // one order
    _exit(0);
  }
  UnderBoth(kSpool, kIndex, "delivery: message appended, index entry added");
  close(open(done.c_str(), O_CREAT | O_WRONLY, 0600));
  int status = 0;
  waitpid(compactor, &status, 0);
  unlink(done.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
