// Main polls a flag through a spin lock (take it, read the flag, count the round, give it
// back, again) until a setter thread sets the flag, about 20 ms on; then reads `data`.
// argv[1]:
//   flag             the setter writes `data`, then sets the flag under the lock: no race
//   late             the setter sets the flag under the lock, then writes `data`: a race on
//                    `data`
//   unlocked         the setter sets the flag without the lock: a race on `flag`
//   handover         the setter takes and gives back the lock, then writes `extra`, which
//                    every round also reads, without it, 20 ms before the flag: a race on
//                    `extra`
//   handover-locked  the same with `extra` written under the lock: no race
//   observer         a third thread reads the lock word relaxed 10 ms on, then makes an
//                    acquire fence (it synchronizes with the round whose release it read)
//                    and reads `rounds`, which the rounds after that one write: a race on
//                    `rounds`
//   observer-counted the same 2 ms on, the poll ending after 200 000 rounds instead of at the
//                    flag (which nobody sets): the rounds after the one the observer read are
//                    all alike, yet it races with them
//   observer-after   the same once the poll is over: no race
// argv[2], optional: the spin lock, `tas` (an atomic_flag, acquire and release; the
// default), `xchg` (an atomic<bool> exchange and store), `seqcst` (an atomic_flag with the
// default orders), `fence` (the atomic<bool> taken by a relaxed exchange and an acquire
// fence, given back by a release fence and a relaxed store) or `plain` (a plain int taken by
// a compare-and-swap, given back by a full barrier and a plain store: nginx's ngx_spinlock
// and ngx_unlock; the plain store races with the other threads' atomics on the word, which
// `lock_word` names). Prints the lock word's address and how many rounds the poll made.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

static int flag, data, extra;  // (outside the anonymous namespace: reports name them so)
static long rounds, sink;
static int lock_word;  // the `plain` lock

namespace {

std::atomic_flag tas_word = ATOMIC_FLAG_INIT;
std::atomic<bool> xchg_word{false};
std::string kind = "tas";

// One try at the lock, as Take makes them (an exchange or a compare-and-swap, whose failure
// is a write begun on the word: the poll's rounds after it are written).
bool TryTake() {
  if (kind == "xchg") return !xchg_word.exchange(true, std::memory_order_acquire);
  if (kind == "fence") {
    if (xchg_word.exchange(true, std::memory_order_relaxed)) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
  }
  if (kind == "seqcst") return !tas_word.test_and_set();
  if (kind == "plain") return __sync_bool_compare_and_swap(&lock_word, 0, 1);
  return !tas_word.test_and_set(std::memory_order_acquire);
}
// (Each kind its own loop: a loop that compared `kind` between its tries would record those
// reads between them, and a spin while another thread holds the lock would be written try
// by try.)
void Take() {
  if (kind == "xchg") {
    while (xchg_word.exchange(true, std::memory_order_acquire)) {
    }
  } else if (kind == "fence") {
    while (xchg_word.exchange(true, std::memory_order_relaxed)) {
    }
    std::atomic_thread_fence(std::memory_order_acquire);
  } else if (kind == "seqcst") {
    while (tas_word.test_and_set()) {
    }
  } else if (kind == "plain") {
    while (!__sync_bool_compare_and_swap(&lock_word, 0, 1)) {
    }
  } else {
    while (tas_word.test_and_set(std::memory_order_acquire)) {
    }
  }
}
void Give() {
  if (kind == "xchg") {
    xchg_word.store(false, std::memory_order_release);
  } else if (kind == "fence") {
    std::atomic_thread_fence(std::memory_order_release);
    xchg_word.store(false, std::memory_order_relaxed);
  } else if (kind == "seqcst") {
    tas_word.clear();
  } else if (kind == "plain") {
    __sync_synchronize();
    lock_word = 0;
  } else {
    tas_word.clear(std::memory_order_release);
  }
}
// The lock word, read without taking the lock.
bool Peek() {
  if (kind == "xchg" || kind == "fence") return xchg_word.load(std::memory_order_relaxed);
  if (kind == "plain") return __atomic_load_n(&lock_word, __ATOMIC_RELAXED) != 0;
  return tas_word.test(std::memory_order_relaxed);
}
// The setter waits for the lock reading the word, and tries to take it when it looks free,
// pausing after a failed try: a poller that retakes the lock at once may keep it from the
// setter for tens of milliseconds on a loaded machine, and each failed try has the poll's
// next rounds written.
void SetterTake() {
  while (!TryTake()) {
    usleep(50);
    while (Peek()) {
    }
  }
}

std::atomic<bool> finished{false};
std::atomic<bool> seen{false};  // the observer read `rounds` (relaxed: orders nothing)

void Setter(const std::string& mode) {
  if (mode == "observer-counted") return;
  usleep(20000);
  // The poll goes on after the observer's read, however late it comes.
  while (mode == "observer" && !seen.load(std::memory_order_relaxed)) usleep(1000);
  if (mode.rfind("handover", 0) == 0) {
    SetterTake();
    Give();
    if (mode == "handover") {
      extra = 1;
    } else {
      SetterTake();
      extra = 1;
      Give();
    }
    usleep(20000);  // rounds after the write
  }
  if (mode != "late") data = 1;
  if (mode == "unlocked") {
    flag = 1;
  } else {
    SetterTake();
    flag = 1;
    Give();
  }
  if (mode == "late") data = 1;
}

void Observer(const std::string& mode) {
  if (mode == "observer" || mode == "observer-counted") {
    usleep(mode == "observer" ? 10000 : 2000);  // (the counted poll may end early elsewhere)
  } else {
    while (!finished.load(std::memory_order_relaxed)) usleep(1000);
  }
  std::printf("PEEK %d\n", Peek() ? 1 : 0);
  std::atomic_thread_fence(std::memory_order_acquire);
  std::printf("SEEN %ld\n", rounds > 0 ? 1L : 0L);
  seen.store(true, std::memory_order_relaxed);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "flag";
  if (argc > 2) kind = argv[2];
  const bool word = kind == "xchg" || kind == "fence";
  void* lock = kind == "plain" ? static_cast<void*>(&lock_word)
               : word           ? static_cast<void*>(&xchg_word)
                                : static_cast<void*>(&tas_word);
  std::printf("LOCK %p\n", lock);
  std::thread setter(Setter, mode);
  std::thread observer;
  if (mode.rfind("observer", 0) == 0) observer = std::thread(Observer, mode);
  const bool reads_extra = mode.rfind("handover", 0) == 0;
  const long limit = mode == "observer-counted" ? 200000 : -1;
  for (;;) {
    Take();
    const int seen = flag;
    if (reads_extra) sink += extra;
    ++rounds;
    Give();
    if (seen || rounds == limit) break;
  }
  finished.store(true, std::memory_order_relaxed);
  std::printf("ROUNDS %ld data %d\n", rounds, data);
  setter.join();
  if (observer.joinable()) observer.join();
  return 0;
}
