// Progress line (see progress.h).
#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include "threadlens/analyzer/findings.h"

namespace threadlens::cli {

Progress::Progress(std::string what)
    : what_(EscapeControls(what)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
}

void Progress::Update(uint64_t events) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  // Nothing for short analyses; then at most a few redraws a second.
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  drawn_ = true;
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\x1b[Kthreadlens: %s: %.1f M events, %.0f s", what_.c_str(),
               static_cast<double>(events) / 1e6, secs);
  std::fflush(stderr);
}

}  // namespace threadlens::cli
