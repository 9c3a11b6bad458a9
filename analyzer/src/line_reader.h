// LineReader: hands out the lines of a FILE*, read in big chunks. A line longer than
// kMaxLine stops the reader (a binary or endless input must not grow the buffer forever).
#pragma once

#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace threadlens {

class LineReader {
 public:
  // Far above any STD line (a thread, an operation, an operand and a site).
  static constexpr size_t kMaxLine = 1 << 20;

  LineReader(FILE* f, bool owns) : file_(f), owns_(owns), buf_(kMaxLine) {}
  ~LineReader() {
    if (owns_ && file_) std::fclose(file_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its newline; false at end of input or when the line is longer
  // than kMaxLine (then too_long() is true).
  bool Get(std::string_view& line) {
    for (;;) {
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      if (nl) {
        line = std::string_view(start, nl - start);
        pos_ = (nl - buf_.data()) + 1;
        return true;
      }
      if (eof_) {
        if (pos_ == end_) return false;
        line = std::string_view(start, end_ - pos_);
        pos_ = end_;
        return true;
      }
      // Move the partial line to the front and read more.
      size_t rest = end_ - pos_;
      if (rest == buf_.size()) {
        too_long_ = true;
        return false;
      }
      std::memmove(buf_.data(), start, rest);
      pos_ = 0;
      end_ = rest;
      size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
      end_ += n;
      if (n == 0) eof_ = true;
    }
  }
  bool too_long() const { return too_long_; }

 private:
  FILE* file_;
  bool owns_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool too_long_ = false;
};

}  // namespace threadlens
