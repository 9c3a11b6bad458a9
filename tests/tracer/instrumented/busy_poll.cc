// A loop that polls four descriptors with nothing ready, argv[1] times: `quiet` does nothing
// else, `released` also stores a flag with a release each round (a release-type event, so
// every round is a new epoch), `locked` takes and releases a mutex each round (which nobody
// else takes). poll reads and writes the pollfd array for the caller.
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int flag;

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const long rounds = std::atol(argv[1]);
  const bool locked = std::strcmp(argv[2], "locked") == 0;
  const bool released = std::strcmp(argv[2], "released") == 0;
  std::printf("MU %p\nFLAG %p\n", static_cast<void*>(&mu), static_cast<void*>(&flag));
  int p[2];
  if (pipe(p) != 0) return 1;
  pollfd fds[4];
  for (pollfd& f : fds) f = {p[0], POLLIN, 0};
  std::printf("FDS %p\n", static_cast<void*>(fds));
  long ready = 0;
  for (long i = 0; i < rounds; ++i) {
    ready += poll(fds, 4, 0);
    if (locked) {
      pthread_mutex_lock(&mu);
      pthread_mutex_unlock(&mu);
    }
    if (released) __atomic_store_n(&flag, 1, __ATOMIC_RELEASE);
  }
  std::printf("ready %ld\n", ready);
  return 0;
}
