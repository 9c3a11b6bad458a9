// TraceFile: open, fstat and pread of a trace file; ReadBuffer over it.
#include "trace_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "threadlens/analyzer/error.h"

namespace threadlens {

TraceFile::TraceFile(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw Error(path + ": not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

TraceFile::~TraceFile() { ::close(fd_); }

bool TraceFile::Read(uint64_t offset, void* dst, size_t n) const {
  if (offset > size_ || size_ - offset < n) return false;
  auto* p = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

bool ReadBuffer::Read(uint64_t offset, void* dst, size_t n, size_t ahead) {
  if (offset >= start_ && offset - start_ <= have_ && have_ - (offset - start_) >= n) {
    std::memcpy(dst, buf_.data() + (offset - start_), n);
    return true;
  }
  if (ahead == 0 || offset >= file_.size() || file_.size() - offset <= n) {
    return file_.Read(offset, dst, n);
  }
  const size_t want = static_cast<size_t>(std::min<uint64_t>(n + ahead, file_.size() - offset));
  buf_.resize(want);
  if (!file_.Read(offset, buf_.data(), want)) {  // shorter than when opened
    have_ = 0;
    return file_.Read(offset, dst, n);
  }
  start_ = offset;
  have_ = want;
  std::memcpy(dst, buf_.data(), n);
  return true;
}

}  // namespace threadlens
