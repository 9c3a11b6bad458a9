// Read-ahead of a trace on a thread of its own (see read_ahead.h).
#include "read_ahead.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace threadlens {

ReadAhead::ReadAhead(std::unique_ptr<EventSource> inner)
    : inner_(std::move(inner)), meta_(inner_->Meta()), warnings_(inner_->Warnings()) {}

ReadAhead::~ReadAhead() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  taken_.fetch_add(kSlots + 1, std::memory_order_release);  // wakes a reader waiting for room
  taken_.notify_all();
  thread_.join();
}

int UsableCpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0
             ? CPU_COUNT(&set)
             : static_cast<int>(std::thread::hardware_concurrency());
}

bool ReadAhead::Worthwhile(unsigned busy) {
  if (const char* e = std::getenv("THREADLENS_READ_AHEAD"); e && *e == '0') return false;
  return UsableCpus() > static_cast<int>(busy);
}

void ReadAhead::Start() {
  started_ = true;
  try {
    thread_ = std::thread([this] { Reader(); });
  } catch (const std::system_error&) {
    direct_ = true;  // no thread to be had: the caller reads for itself
  }
}

void ReadAhead::Reader() {
  for (uint64_t k = 0;; ++k) {
    uint64_t t = taken_.load(std::memory_order_acquire);
    while (k - t >= kSlots) {  // the ring is full (or, stopping, `t` passed `k`)
      if (stop_.load(std::memory_order_acquire)) return;
      taken_.wait(t, std::memory_order_acquire);
      t = taken_.load(std::memory_order_acquire);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    Slot& s = slots_[k % kSlots];
    s.error = nullptr;
    try {
      s.count = inner_->NextBatch(s.events.get(), kSlotEvents);
    } catch (...) {
      s.count = 0;
      s.error = std::current_exception();
    }
    const bool last = s.count < kSlotEvents;
    if (last) done_.store(true, std::memory_order_release);
    filled_.store(k + 1, std::memory_order_release);
    filled_.notify_one();
    if (last) return;
  }
}

ReadAhead::Slot* ReadAhead::Take() {
  if (ended_) return nullptr;
  if (cur_) {
    ++next_;
    cur_ = nullptr;
    if (!stopped_) {
      taken_.store(next_, std::memory_order_release);  // the reader may fill it again
      taken_.notify_one();
    }
  }
  if (stopped_) {
    // The reader is gone: what it filled, then the source on this thread.
    if (next_ == filled_.load(std::memory_order_acquire)) {
      direct_ = true;
      return nullptr;
    }
  } else {
    uint64_t f = filled_.load(std::memory_order_acquire);
    while (f <= next_) {
      filled_.wait(f, std::memory_order_acquire);
      f = filled_.load(std::memory_order_acquire);
    }
  }
  Slot* s = &slots_[next_ % kSlots];
  if (s->error) {
    ended_ = true;
    std::rethrow_exception(s->error);
  }
  if (s->count < kSlotEvents) ended_ = true;  // the last slot; its events still count
  cur_ = s;
  at_ = 0;
  return s;
}

void ReadAhead::ReadOnCallerThread() {
  if (!started_) {
    started_ = direct_ = true;  // never started: nothing read ahead
    return;
  }
  if (direct_ || stopped_) return;
  // The reader stops before its next batch, or while it waits for room.
  stop_.store(true, std::memory_order_release);
  taken_.fetch_add(kSlots + 1, std::memory_order_release);
  taken_.notify_all();
  thread_.join();
  stopped_ = true;
}

size_t ReadAhead::NextSpan(const StreamEvent** out) {
  if (!started_) Start();
  if (direct_) return inner_->NextSpan(out);
  if (cur_ && at_ < cur_->count) {  // what NextBatch left of the slot
    *out = cur_->events.get() + at_;
    const size_t n = cur_->count - at_;
    at_ = cur_->count;
    return n;
  }
  Slot* s = Take();
  if (!s) return direct_ ? inner_->NextSpan(out) : 0;
  *out = s->events.get();
  at_ = s->count;
  return s->count;
}

size_t ReadAhead::NextBatch(StreamEvent* out, size_t n) {
  if (!started_) Start();
  if (direct_) return inner_->NextBatch(out, n);
  size_t i = 0;
  while (i < n) {
    if ((!cur_ || at_ == cur_->count) && !Take()) {
      if (direct_) i += inner_->NextBatch(out + i, n - i);
      break;
    }
    const size_t m = std::min(n - i, cur_->count - at_);
    std::memcpy(static_cast<void*>(out + i), cur_->events.get() + at_, m * sizeof(StreamEvent));
    i += m;
    at_ += m;
  }
  return i;
}

}  // namespace threadlens
