// Fatal signals: the runtime's own handler, for signals the program left at their default,
// flushes what was recorded (the header stays incomplete), then lets the signal end the
// process as before.
#include <signal.h>
#include <string.h>

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

void FatalSignalHandler(int sig) {
  ThreadState* ts = CurrentFast();
  // Not inside a record of its own (a fault in the runtime's write would tear it).
  if (Crash(sig) && ts && ts->in_record == 0) {
    EmitTo(ts, trace::EventKind::kCrash, 0, 0, static_cast<uint32_t>(sig), 0, 0);
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
  sa.sa_handler = FatalSignalHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
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
