// Fatal signals: the runtime's own handler, for signals the program left at their default,
// flushes what was recorded (the header stays incomplete), then lets the signal end the
// process as before.
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "runtime_internal.h"

namespace threadlens::rt {
namespace {

// Signals whose default action ends the process.
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS,  SIGILL,  SIGFPE,  SIGABRT, SIGTERM,
                                 SIGINT,  SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1,
                                 SIGUSR2, SIGXCPU, SIGXFSZ, SIGSYS,  SIGTRAP};

// Raised by the thread's own fault: the process crashed (what its threads wait on then is
// no hang). A kill from outside (SIGTERM, SIGINT...) may end a hung program: no record.
bool Crash(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT ||
         sig == SIGTRAP || sig == SIGSYS;
}

// Where the thread was when the signal came: the faulting instruction.
uint64_t FaultPc(const void* context) {
  if (!context) return 0;
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uint64_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return uc->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

void FatalSignalHandler(int sig, siginfo_t*, void* context) {
  ThreadState* ts = CurrentFast();
  // Not inside a record of its own (a fault in the runtime's write would tear it).
  if (Crash(sig) && ts && ts->in_record == 0) {
    EmitTo(ts, trace::EventKind::kCrash, 0, 0, static_cast<uint32_t>(sig), 0, FaultPc(context));
  }
  CloseTrace(false, false);
  signal(sig, SIG_DFL);
  raise(sig);
}

bool g_installed = false;

bool Fatal(int sig) {
  for (int s : kFatalSignals) {
    if (s == sig) return true;
  }
  return false;
}

void Fill(struct sigaction& sa) {
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = FatalSignalHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
}

}  // namespace

void InstallSignalHandlers() {
  for (int sig : kFatalSignals) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) != 0) continue;
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;  // the program's
    struct sigaction sa;
    Fill(sa);
    sigaction(sig, &sa, nullptr);
  }
  g_installed = true;
}

bool RuntimeDefaultAction(int sig, struct sigaction* out) {
  if (!g_installed || !Fatal(sig)) return false;
  Fill(*out);
  return true;
}

bool IsRuntimeSignalHandler(const void* fn) {
  return fn == reinterpret_cast<const void*>(&FatalSignalHandler);
}

}  // namespace threadlens::rt
