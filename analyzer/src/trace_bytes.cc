// TraceBytes: mmap of the trace file, with a pread fallback.
#include "trace_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "threadlens/analyzer/error.h"

namespace threadlens {

TraceBytes::TraceBytes(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int fd = fd_;
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<const unsigned char*>(p);
      mapped_ = true;
    }
  }
  if (!mapped_ && size_ > 0) {
    copy_.resize(size_);
    uint64_t at = 0;
    while (at < size_) {
      ssize_t r = ::pread(fd, copy_.data() + at, size_ - at, static_cast<off_t>(at));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;  // shrank meanwhile: what was read is the file
      at += static_cast<uint64_t>(r);
    }
    size_ = at;
    data_ = copy_.data();
  }
}

TraceBytes::~TraceBytes() {
  if (mapped_) ::munmap(const_cast<unsigned char*>(data_), size_);
  ::close(fd_);
}

void TraceBytes::Release(uint64_t offset) {
  if (!mapped_) return;
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t end = std::min(offset, size_) / page * page;
  if (end <= released_) return;
  ::madvise(const_cast<unsigned char*>(data_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

bool TraceBytes::Read(uint64_t offset, void* dst, size_t n) const {
  if (offset > size_ || size_ - offset < n) return false;
  if (!mapped_) {
    std::memcpy(dst, data_ + offset, n);
    return true;
  }
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

}  // namespace threadlens
