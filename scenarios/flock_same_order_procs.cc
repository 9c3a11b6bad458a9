// Scenario flock_same_order_procs: the fix of flock_order_procs. The compactor takes the
// spool's flock first too, then the index's, as delivery does: one order, no cycle, whatever
// the timing.
//
// STORY: delivery and the compactor both lock the spool, then the index
// EXPECT: clean
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "spool_flocks.h"

namespace {

const char* kSpool = "/tmp/threadlens-scenario-spool-ordered.lock";
const char* kIndex = "/tmp/threadlens-scenario-index-ordered.lock";

}  // namespace

int main() {
  // Delivery says it is done with a file; the compactor waits for it (no memory between).
  const std::string done = "/tmp/threadlens-scenario-delivered-ordered." + std::to_string(getpid());
  unlink(done.c_str());
  const pid_t compactor = fork();
  if (compactor == 0) {
    WaitFor(done.c_str());
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
