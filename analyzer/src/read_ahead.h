// Read-ahead: a thread of its own reads and decodes the trace (file reads, checksums, the
// merge of the threads' blocks) into a small ring of event batches while the caller handles
// the batch before. On a two-core machine the analysis then spends its main thread on the
// events alone: reading the block-cache bench trace takes about a third of that thread.
//
// The wrapped source must not change what Meta(), String(), Modules() and Processes()
// return while it reads (a binary trace of one process: they are read when it opens);
// Warnings() and Meta() are the wrapped source's once it has read to the end, and what they
// were when it opened before that. An Error the reader meets is thrown by the call that
// would have returned the events after it, so every event before it is seen first.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "threadlens/analyzer/event_source.h"

namespace threadlens {

// The CPUs this process may run on (taskset and cgroup cpusets included).
int UsableCpus();

class ReadAhead final : public EventSource {
 public:
  explicit ReadAhead(std::unique_ptr<EventSource> inner);
  ~ReadAhead() override;
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  bool Next(StreamEvent& out) override { return NextBatch(&out, 1) == 1; }
  size_t NextBatch(StreamEvent* out, size_t n) override;
  size_t NextSpan(const StreamEvent** out) override;
  // Stops the reader: the batches it read come first, then the source is read on the
  // caller's thread.
  void ReadOnCallerThread() override;

  const TraceMeta& Meta() const override {
    return Done() || direct_ ? inner_->Meta() : meta_;
  }
  std::string_view String(uint32_t id) const override { return inner_->String(id); }
  const std::vector<ModuleInfo>& Modules() const override { return inner_->Modules(); }
  const std::vector<std::string>& Warnings() const override {
    return Done() || direct_ ? inner_->Warnings() : warnings_;
  }
  const std::vector<ProcessInfo>& Processes() const override { return inner_->Processes(); }
  uint64_t SharedAddressIn(uint32_t index, uint64_t addr) const override {
    return inner_->SharedAddressIn(index, addr);
  }

  // Whether read-ahead pays on this machine: a CPU for it beside the `busy` threads the
  // analysis keeps busy (its own and the race workers), and THREADLENS_READ_AHEAD is not 0.
  // A reader that has to take turns with them slows the whole (on two CPUs, with one race
  // worker: 110 ms against 131 on a 1.7 M-event trace, medians of 15).
  static bool Worthwhile(unsigned busy);

  // The ring: kSlots batches of kSlotEvents events (1.5 MiB). Fewer, smaller batches
  // measured slower on the bench trace: the threads then wait on each other more often.
  static constexpr size_t kSlots = 4;
  static constexpr size_t kSlotEvents = 8192;

 private:
  struct Slot {
    std::unique_ptr<StreamEvent[]> events{new StreamEvent[kSlotEvents]};
    size_t count = 0;  // fewer than kSlotEvents: the last one
    std::exception_ptr error;
  };

  void Start();
  void Reader();
  // The next filled slot (the previous one handed back), or nullptr after the last.
  Slot* Take();
  bool Done() const { return done_.load(std::memory_order_acquire); }

  std::unique_ptr<EventSource> inner_;
  TraceMeta meta_;
  std::vector<std::string> warnings_;
  Slot slots_[kSlots];
  std::atomic<uint64_t> filled_{0};  // slots the reader has filled, ever
  std::atomic<uint64_t> taken_{0};   // slots the caller has handed back, ever
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};  // the reader has read the last event
  std::thread thread_;
  bool started_ = false;
  bool direct_ = false;  // no thread: calls go to inner_
  bool ended_ = false;    // the caller has seen the last slot
  bool stopped_ = false;  // the reader was stopped and joined before the end
  uint64_t next_ = 0;     // the slot the caller takes next (or reads now, in cur_)
  Slot* cur_ = nullptr;  // the slot the caller reads
  size_t at_ = 0;        // its next event (NextBatch)
};

}  // namespace threadlens
