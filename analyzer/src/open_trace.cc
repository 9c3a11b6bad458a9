// OpenTrace: picks the reader by the file's content, and refuses anything that is neither
// a binary trace nor STD text before a reader sees it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "process_tree.h"
#include "readers.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

// Bytes looked at to tell text from binary: enough for a few lines, small for any input.
constexpr size_t kSniffBytes = 4096;

[[noreturn]] void NotATrace(const std::string& path, const std::string& why) {
  throw Error(path + ": not a threadlens trace: " + why);
}

// Offset of the first byte that text does not hold (NUL, or a control character other than
// tab, CR, LF and FF), or npos. Bytes >= 0x80 pass: names in other encodings are repaired
// later, and ELF, PNG and random bytes all hold control characters early.
size_t FirstNonText(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) return i;
  }
  return std::string_view::npos;
}

// Why the first line that is not blank or a comment is not `thread|op(operand)|site`; ""
// when it is, or when the sniffed bytes hold no such line.
std::string FirstLineProblem(std::string_view s, size_t& line_no) {
  line_no = 0;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    ++line_no;
    size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos && line[b] != '#') {
      line = line.substr(b);
      size_t bar = line.find('|');
      if (bar == std::string_view::npos || bar == 0) return "no `thread|` at its start";
      std::string_view op = line.substr(bar + 1);
      size_t end = op.find_first_of("(|");
      op = op.substr(0, end);
      while (!op.empty() && (op.front() == ' ' || op.front() == '\t')) op.remove_prefix(1);
      while (!op.empty() && (op.back() == ' ' || op.back() == '\t' || op.back() == '\r'))
        op.remove_suffix(1);
      if (op.empty()) return "no operation after `|`";
      for (char c : op) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
          return "`" + std::string(op.substr(0, 40)) + "` is not an operation";
      }
      return "";
    }
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace

std::unique_ptr<EventSource> OpenTrace(const std::string& path) {
  // O_NONBLOCK: opening a FIFO with no writer must not hang; regular files ignore it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) throw Error(path + ": no such file");
    throw Error(path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw Error(path + ": cannot read: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": is a directory, not a trace file");
  }
  if (!S_ISREG(st.st_mode)) {
    // A pipe, a device (/dev/zero) or a socket may never end: traces are files.
    ::close(fd);
    throw Error(path + ": not a regular file (a pipe or a device); a trace must be a file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    NotATrace(path, "the file is empty");
  }
  char buf[kSniffBytes];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n < 0) throw Error(path + ": cannot read: " + std::strerror(errno));
  std::string_view head(buf, static_cast<size_t>(n));
  if (head.size() >= sizeof(trace::kMagic) &&
      std::memcmp(buf, trace::kMagic, sizeof trace::kMagic) == 0) {
    return OpenRecording(path, OpenBinaryTrace(path));
  }
  if (size_t bad = FirstNonText(head); bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(buf[bad]));
    NotATrace(path, "no TLTRACE1 magic, and byte offset " + std::to_string(bad) + " (" + byte +
                        ") is not text, so not STD text either");
  }
  size_t line_no = 0;
  if (std::string why = FirstLineProblem(head, line_no); !why.empty()) {
    NotATrace(path, "no TLTRACE1 magic, and line " + std::to_string(line_no) +
                        " is not STD text (`thread|op(operand)|site`): " + why);
  }
  return OpenStdTrace(path);
}

}  // namespace threadlens
