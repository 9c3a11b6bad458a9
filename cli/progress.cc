// Progress line (see progress.h).
#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "threadlens/analyzer/findings.h"

namespace threadlens::cli {

// THREADLENS_PROGRESS_AFTER_MS: how long an analysis runs before the line appears (1000).
static std::chrono::milliseconds ProgressDelay() {
  const char* v = std::getenv("THREADLENS_PROGRESS_AFTER_MS");
  return std::chrono::milliseconds(v && *v ? std::strtol(v, nullptr, 10) : 1000);
}

Progress::Progress(std::string what)
    : what_(EscapeControls(what)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_),
      delay_(ProgressDelay()) {}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
}

void Progress::Update(uint64_t events) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  // Nothing for short analyses; then at most a few redraws a second.
  if (now - start_ < delay_) return;
  if (drawn_ && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  drawn_ = true;
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\x1b[Kthreadlens: %s: %.1f M events, %.0f s", what_.c_str(),
               static_cast<double>(events) / 1e6, secs);
  std::fflush(stderr);
}

}  // namespace threadlens::cli
