// Signal handlers under the tracer. `signals storm-lock N` / `storm-safe N`: N signals sent
// one at a time into a thread that records memory accesses and locks nonstop, each handled
// before the next is sent; the handler takes a mutex (not async-signal-safe) or only posts a
// semaphore (safe). `errno-spoil` / `errno-kept`: a handler that changes errno, and one that
// restores it. `printf`: a handler that prints. `longjmp`: a handler left by siglongjmp,
// after which the program allocates outside any handler. `pause N` / `sigsuspend N`: N times,
// a worker sends the process SIGUSR1 and ends while main waits for it in pause or sigsuspend.
// Prints what it saw.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<int> handled{0};
std::atomic<bool> stop{false};
pthread_mutex_t handler_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t worker_mutex = PTHREAD_MUTEX_INITIALIZER;
sem_t handler_sem;
long handler_count;  // touched only in the handler, which runs on one thread
int cells[4096];
sigjmp_buf jump_back;

void LockingHandler(int) {
  pthread_mutex_lock(&handler_mutex);
  ++handler_count;
  pthread_mutex_unlock(&handler_mutex);
  handled.fetch_add(1);
}

void SafeHandler(int) {
  sem_post(&handler_sem);
  handled.fetch_add(1);
}

void SpoilingHandler(int) {
  if (write(-1, "x", 1) < 0) handled.fetch_add(1);  // leaves errno = EBADF
}

void CarefulHandler(int) {
  int saved = errno;
  bool failed = write(-1, "x", 1) < 0;
  errno = saved;
  if (failed) handled.fetch_add(1);
}

void PrintingHandler(int sig) {
  printf("in handler %d\n", sig);
  handled.fetch_add(1);
}

void JumpingHandler(int) { siglongjmp(jump_back, 1); }

void* Worker(void*) {
  while (!stop.load(std::memory_order_relaxed)) {
    pthread_mutex_lock(&worker_mutex);
    for (int i = 0; i < 4096; ++i) cells[i] += i;
    pthread_mutex_unlock(&worker_mutex);
  }
  return nullptr;
}

void* ErrnoWorker(void*) {
  while (handled.load(std::memory_order_relaxed) == 0) sched_yield();
  return nullptr;
}

void Install(int sig, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}

int Storm(void (*handler)(int), int rounds) {
  Install(SIGUSR1, handler);
  pthread_t t;
  pthread_create(&t, nullptr, Worker, nullptr);
  for (int i = 0; i < rounds; ++i) {
    pthread_kill(t, SIGUSR1);
    while (handled.load() <= i) sched_yield();
  }
  stop.store(true);
  pthread_join(t, nullptr);
  printf("handled %d\n", handled.load());
  return 0;
}

volatile sig_atomic_t arrived;
void Arrived(int) { arrived = 1; }

void* SendToProcess(void*) {
  usleep(2000);
  kill(getpid(), SIGUSR1);
  return nullptr;
}

// Untraced, the kernel hands the signal to main, asleep and not blocking it; the worker, in
// its exit, must not take it (main would sleep on).
int WaitForWorkers(bool suspend, int rounds) {
  Install(SIGUSR1, Arrived);
  sigset_t none;
  sigemptyset(&none);
  for (int i = 0; i < rounds; ++i) {
    arrived = 0;
    pthread_t t;
    pthread_create(&t, nullptr, SendToProcess, nullptr);
    while (!arrived) suspend ? sigsuspend(&none) : pause();
    pthread_join(t, nullptr);
  }
  printf("arrived %d\n", rounds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  int rounds = argc > 2 ? atoi(argv[2]) : 100;
  sem_init(&handler_sem, 0, 0);
  if (mode == "storm-lock") return Storm(LockingHandler, rounds);
  if (mode == "storm-safe") return Storm(SafeHandler, rounds);
  if (mode == "errno-spoil" || mode == "errno-kept") {
    // Sent from another thread, so the handler interrupts the worker at any point.
    Install(SIGUSR2, mode == "errno-spoil" ? SpoilingHandler : CarefulHandler);
    pthread_t t;
    pthread_create(&t, nullptr, ErrnoWorker, nullptr);
    pthread_kill(t, SIGUSR2);
    pthread_join(t, nullptr);
    printf("handled %d\n", handled.load());
    return 0;
  }
  if (mode == "pause" || mode == "sigsuspend") return WaitForWorkers(mode == "sigsuspend", rounds);
  if (mode == "printf") {
    Install(SIGUSR1, PrintingHandler);
    raise(SIGUSR1);
    return handled.load() == 1 ? 0 : 1;
  }
  if (mode == "longjmp") {
    Install(SIGUSR1, JumpingHandler);
    if (sigsetjmp(jump_back, 1) == 0) {
      raise(SIGUSR1);
      return 1;  // the handler never returns
    }
    void* p = malloc(64);  // outside any handler now
    free(p);
    printf("jumped back\n");
    return 0;
  }
  if (mode == "action") {
    // The program sees its own handler and flags, not the runtime's.
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SafeHandler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
    sigaction(SIGUSR1, nullptr, &old);
    bool same = old.sa_handler == SafeHandler && (old.sa_flags & SA_SIGINFO) == 0 &&
                (old.sa_flags & SA_RESTART) != 0;
    bool dfl = signal(SIGUSR2, SIG_IGN) == SIG_DFL;
    printf("action %s %s\n", same ? "same" : "different", dfl ? "default" : "not-default");
    return same && dfl ? 0 : 1;
  }
  fprintf(stderr, "usage: signals storm-lock|storm-safe N | errno-spoil | errno-kept | printf | "
                  "longjmp | action\n");
  return 2;
}
