// A progress line on stderr for long analyses: only on a terminal (never in pipes or CI
// logs), only after the first second, and erased when the analysis ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace threadlens::cli {

class Progress {
 public:
  // `what` names the work ("analyzing prog.tltrace"). Off unless stderr is a terminal.
  explicit Progress(std::string what);
  ~Progress();  // erases the line if one was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  void Update(uint64_t events);

 private:
  std::string what_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  std::chrono::milliseconds delay_;
};

}  // namespace threadlens::cli
