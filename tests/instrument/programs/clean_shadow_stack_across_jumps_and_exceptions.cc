// The shadow call stack (what every report's stacks come from) stays right across the ways a
// C++ program leaves frames without returning: a caught exception, a rethrow, a longjmp out
// of a recursion (a hundred times), and a siglongjmp out of a signal handler. The program
// checks its own depth through ThreadSanitizer's test hook and exits 1 on a leftover frame:
// before longjmp unwound the shadow stack, each jump left seven. (ThreadSanitizer, clang 14:
// all OK.)
// CHECK: exit 0
// CHECK: no-race
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <stdexcept>

extern "C" unsigned long __tsan_testonly_shadow_stack_current_size();

int sink;
std::jmp_buf env;
sigjmp_buf signal_env;

__attribute__((noinline)) void Thrower(int n) {
  if (n == 0) throw std::runtime_error("deep");
  sink += n;
  Thrower(n - 1);
  sink -= n;
}
__attribute__((noinline)) void Catches() {
  try {
    Thrower(4);
  } catch (const std::exception&) {
    ++sink;
  }
}
__attribute__((noinline)) void Rethrows() {
  try {
    Thrower(3);
  } catch (...) {
    throw;
  }
}
__attribute__((noinline)) void CatchesRethrow() {
  try {
    Rethrows();
  } catch (...) {
    ++sink;
  }
}
__attribute__((noinline)) void Jumper(int n) {
  if (n == 0) std::longjmp(env, 1);
  sink += n;
  Jumper(n - 1);
  sink -= n;
}
__attribute__((noinline)) void Jumps() {
  if (setjmp(env) != 0) {
    ++sink;
    return;
  }
  Jumper(6);
}
__attribute__((noinline)) void Handler(int) { siglongjmp(signal_env, 1); }
__attribute__((noinline)) void Raises(int n) {
  if (n == 0) std::raise(SIGUSR1);
  sink += n;
  Raises(n - 1);
  sink -= n;
}
__attribute__((noinline)) void JumpsOutOfAHandler() {
  if (sigsetjmp(signal_env, 1) != 0) {
    ++sink;
    return;
  }
  Raises(3);
}

int main() {
  std::signal(SIGUSR1, Handler);
  const unsigned long start = __tsan_testonly_shadow_stack_current_size();
  bool ok = true;
  auto check = [&](const char* what) {
    const unsigned long now = __tsan_testonly_shadow_stack_current_size();
    std::printf("%s: %s\n", what, now == start ? "OK" : "leftover frames");
    ok = ok && now == start;
  };
  Catches();
  check("caught exception");
  CatchesRethrow();
  check("rethrown exception");
  for (int i = 0; i < 100; ++i) Jumps();
  check("longjmp");
  JumpsOutOfAHandler();
  check("siglongjmp out of a handler");
  return ok ? 0 : 1;
}
