#include "block_prefetch.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "block_frame.h"
#include "threadlens/crc32c.h"
#include "threadlens/trace_format.h"

namespace threadlens {

BlockPrefetch::BlockPrefetch(const TraceFile& file, std::vector<Job> jobs, size_t max_bytes,
                             size_t window)
    : file_(file),
      jobs_(std::move(jobs)),
      max_bytes_(max_bytes),
      window_(window),
      state_(jobs_.size(), kPending),
      decoded_(jobs_.size()),
      sizes_(jobs_.size(), 0) {
  thread_ = std::thread([this] { Run(); });
}

namespace {
std::atomic<int> live{0};
}  // namespace

std::unique_ptr<BlockPrefetch> BlockPrefetch::Start(const TraceFile& file, std::vector<Job> jobs,
                                                    size_t max_bytes, size_t window) {
  if (live.fetch_add(1) >= kMaxLive) {
    live.fetch_sub(1);
    return nullptr;
  }
  try {
    auto p = std::make_unique<BlockPrefetch>(file, std::move(jobs), max_bytes, window);
    p->counted_ = true;
    return p;
  } catch (...) {
    live.fetch_sub(1);
    throw;
  }
}

BlockPrefetch::~BlockPrefetch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  space_.notify_all();
  thread_.join();
  if (counted_) live.fetch_sub(1);
}

bool BlockPrefetch::Take(uint64_t offset, std::vector<unsigned char>& out, size_t* size) {
  auto it = std::lower_bound(jobs_.begin(), jobs_.end(), offset,
                             [](const Job& j, uint64_t off) { return j.offset < off; });
  if (it == jobs_.end() || it->offset != offset) return false;
  const size_t i = static_cast<size_t>(it - jobs_.begin());
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return state_[i] != kWorking; });
  const State was = state_[i];
  state_[i] = kTaken;
  if (was != kReady) return false;  // not reached (the helper skips it), or damaged
  out.swap(decoded_[i]);
  *size = sizes_[i];
  spare_.push_back(std::move(decoded_[i]));  // the caller's old buffer
  decoded_[i] = {};
  --ready_;
  ++taken_;
  if (next_ < jobs_.size()) idle_ = false;  // the helper wakes to the space
  lock.unlock();
  space_.notify_one();
  return true;
}

void BlockPrefetch::Run() {
  FrameDecoder frames;
  std::vector<unsigned char> frame;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (next_ < jobs_.size() && state_[next_] != kPending) ++next_;
    if (next_ == jobs_.size()) break;
    if (!stop_ && ready_ >= window_) {
      idle_ = true;
      done_.notify_all();
      space_.wait(lock, [&] { return stop_ || ready_ < window_; });
      idle_ = false;
    }
    if (stop_) break;
    if (state_[next_] != kPending) continue;  // taken while waiting
    const size_t i = next_++;
    state_[i] = kWorking;
    std::vector<unsigned char> out;
    if (!spare_.empty()) {
      out = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    const Job& j = jobs_[i];
    bool ok = false;
    size_t size = 0;
    try {
      if (j.compressed) {
        frame.resize(j.bytes);
        ok = file_.Read(j.offset + sizeof(trace::BlockHeader), frame.data(), j.bytes) &&
             trace::Crc32c(frame.data(), j.bytes) == j.checksum &&
             frames.Decode(frame.data(), j.bytes, j.count, max_bytes_, out, &size) ==
                 FrameDecoder::Status::kOk;
      } else {
        out.resize(j.bytes);
        size = j.bytes;
        ok = file_.Read(j.offset + sizeof(trace::BlockHeader), out.data(), j.bytes) &&
             trace::Crc32c(out.data(), j.bytes) == j.checksum;
      }
    } catch (...) {
      ok = false;  // out of memory: the reader decodes it
    }
    lock.lock();
    if (ok) {
      decoded_[i] = std::move(out);
      sizes_[i] = size;
      state_[i] = kReady;
      ++ready_;
    } else {
      state_[i] = kFailed;
    }
    done_.notify_all();
  }
  idle_ = true;
  done_.notify_all();
}

void BlockPrefetch::Settle() {
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return idle_; });
}

}  // namespace threadlens
