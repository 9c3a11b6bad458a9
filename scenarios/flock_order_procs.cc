// Scenario flock_order_procs: two processes share a mail spool and its index, each file
// guarded by its own flock. Delivery locks the spool, then the index, to append a message
// and its entry; the compactor, which starts once delivery is done, locks the index, then the
// spool. This run finishes, yet under another timing each process holds one file's lock and
// waits for the other's, and both hang. The lock-order graph has the cycle through the two
// files' locks, across the processes. The fix is flock_same_order_procs.cc: both take the
// spool's lock first.
//
// STORY: delivery locks the spool then the index, the compactor the index then the spool
// EXPECT: lock-order
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "spool_flocks.h"

namespace {

const char* kSpool = "/tmp/threadlens-scenario-spool.lock";
const char* kIndex = "/tmp/threadlens-scenario-index.lock";

}  // namespace

int main() {
  // Delivery says it is done with a file; the compactor waits for it (no memory between).
  const std::string done = "/tmp/threadlens-scenario-delivered." + std::to_string(getpid());
  unlink(done.c_str());
  const pid_t compactor = fork();
  if (compactor == 0) {
    WaitFor(done.c_str());
    UnderBoth(kIndex, kSpool, "compactor: index rewritten, spool trimmed");  // opposite order
    _exit(0);
  }
  UnderBoth(kSpool, kIndex, "delivery: message appended, index entry added");
  close(open(done.c_str(), O_CREAT | O_WRONLY, 0600));
  int status = 0;
  waitpid(compactor, &status, 0);
  unlink(done.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
