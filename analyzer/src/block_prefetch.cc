#include "block_prefetch.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <utility>

#include "block_frame.h"
#include "threadlens/crc32c.h"
#include "threadlens/trace_format.h"

namespace threadlens {

BlockPrefetch::BlockPrefetch(const TraceFile& file, std::vector<Job> jobs, size_t max_bytes,
                             size_t window, size_t window_bytes)
    : file_(file),
      jobs_(std::move(jobs)),
      max_bytes_(max_bytes),
      window_(window),
      window_bytes_(window_bytes),
      state_(jobs_.size(), kPending),
      decoded_(jobs_.size()),
      sizes_(jobs_.size(), 0) {
  thread_ = std::thread([this] { Run(); });
}

namespace {
std::atomic<int> live{0};
}  // namespace

std::unique_ptr<BlockPrefetch> BlockPrefetch::Start(const TraceFile& file, std::vector<Job> jobs,
                                                    size_t max_bytes, size_t window,
                                                    size_t window_bytes) {
  if (live.fetch_add(1) >= kMaxLive) {
    live.fetch_sub(1);
    return nullptr;
  }
  try {
    auto p = std::make_unique<BlockPrefetch>(file, std::move(jobs), max_bytes, window,
                                            window_bytes);
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
  ready_bytes_ -= sizes_[i];
  ++taken_;
  // The helper waits for the window to drain by half: a wake-up per block taken cost more
  // than reading the block, where blocks are small.
  const bool wake = idle_ && next_ < jobs_.size() && Low();
  if (wake) idle_ = false;
  lock.unlock();
  if (wake) space_.notify_one();
  return true;
}

bool BlockPrefetch::Full() const {
  return ready_ >= kMaxReady || (ready_ >= window_ && ready_bytes_ >= window_bytes_);
}

bool BlockPrefetch::Low() const {
  return ready_ < kMaxReady / 2 && (ready_ <= window_ / 2 || ready_bytes_ <= window_bytes_ / 2);
}

void BlockPrefetch::Run() {
  // A batch thread: the reader waking it (a block taken) does not hand it the reader's CPU.
  // With the race worker, three threads share two CPUs, and each such wake-up preempted the
  // reader for the helper's whole read.
  sched_param none{};
  sched_setscheduler(0, SCHED_BATCH, &none);
  FrameDecoder frames;
  // The file's bytes of one read: not zero-filled first (value-initialized, a vector's
  // growth wrote each fresh page before the read did).
  std::unique_ptr<unsigned char[]> span;
  size_t span_room = 0;
  std::vector<Item> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (next_ < jobs_.size() && state_[next_] != kPending) ++next_;
    if (next_ == jobs_.size()) break;
    if (!stop_ && Full()) {
      idle_ = true;
      done_.notify_all();
      space_.wait(lock, [&] { return stop_ || Low(); });
      idle_ = false;
    }
    if (stop_) break;
    if (state_[next_] != kPending) continue;  // taken while waiting
    // The pending blocks from next_ on that lie close together in the file, read at once
    // (within kBatchBytes and the window; a compressed block counts its frame here, so the
    // window may end up to one read's decoded size past its bytes).
    batch.clear();
    size_t count = ready_, bytes = ready_bytes_;
    uint64_t end = 0;
    for (size_t k = next_; k < jobs_.size() && state_[k] == kPending; ++k) {
      const Job& j = jobs_[k];
      const uint64_t from = j.offset + sizeof(trace::BlockHeader), to = from + j.bytes;
      if (!batch.empty() && (j.offset < end || j.offset - end > kGapBytes ||
                             to - (jobs_[batch[0].i].offset + sizeof(trace::BlockHeader)) >
                                 kBatchBytes ||
                             (count >= window_ && bytes >= window_bytes_) ||
                             count >= kMaxReady)) {
        break;
      }
      batch.push_back({k, {}});
      state_[k] = kWorking;
      if (!spare_.empty()) {
        batch.back().out = std::move(spare_.back());
        spare_.pop_back();
      }
      ++count;
      bytes += j.bytes;
      end = to;
    }
    next_ = batch.back().i + 1;
    lock.unlock();
    const uint64_t base = jobs_[batch[0].i].offset + sizeof(trace::BlockHeader);
    bool read = false;
    try {
      const size_t want = static_cast<size_t>(end - base);
      if (span_room < want) {
        span_room = std::bit_ceil(want);
        span.reset(new unsigned char[span_room]);
      }
      read = file_.Read(base, span.get(), want);
    } catch (...) {
      read = false;  // out of memory: the reader reads them
    }
    ++reads_;
    for (Item& it : batch) {
      if (read) Decode(frames, span.get() + (jobs_[it.i].offset +
                                              sizeof(trace::BlockHeader) - base), it);
      // Each block is handed over as it is ready: the reader waits for its own block, not
      // for the whole read (at the start, the first blocks' buffers are fresh pages, and the
      // reader waited the read's page faults out).
      lock.lock();
      Publish(it);
      lock.unlock();
      done_.notify_all();
    }
    lock.lock();
  }
  idle_ = true;
  done_.notify_all();
}

void BlockPrefetch::Decode(FrameDecoder& frames, const unsigned char* p, Item& it) const {
  const Job& j = jobs_[it.i];
  try {
    if (trace::Crc32c(p, j.bytes) != j.checksum) return;  // damaged: the reader names it
    if (j.compressed) {
      it.ok = frames.Decode(p, j.bytes, j.count, max_bytes_, it.out, &it.size) ==
              FrameDecoder::Status::kOk;
      return;
    }
    // Room rounded up: a buffer reused for a slightly larger block is not reallocated
    // (fresh pages fault in, at about 10 microseconds each on a VM).
    if (it.out.capacity() < j.bytes) {
      it.out.clear();
      it.out.reserve(std::bit_ceil(size_t{j.bytes}));
    }
    it.out.assign(p, p + j.bytes);
    it.size = j.bytes;
    it.ok = true;
  } catch (...) {
    it.ok = false;  // out of memory: the reader decodes it
  }
}

void BlockPrefetch::Publish(Item& it) {
  if (it.ok) {
    decoded_[it.i] = std::move(it.out);
    sizes_[it.i] = it.size;
    state_[it.i] = kReady;
    ++ready_;
    ready_bytes_ += it.size;
  } else {
    state_[it.i] = kFailed;
    if (!it.out.empty() || it.out.capacity()) spare_.push_back(std::move(it.out));
  }
}

void BlockPrefetch::Settle() {
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return idle_; });
}

}  // namespace threadlens
