// Helpers for the analyzer tests: an in-memory event source (for what STD text cannot say:
// atomics, rwlocks, semaphores, annotations, watchdog records) and finding lookups.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/std_text.h"

namespace threadlens::testing {

class VectorSource : public EventSource {
 public:
  VectorSource() {
    meta_.path = meta_.program = "memory";
    meta_.format = "test";
    strings_.emplace_back();
  }
  uint32_t Str(const std::string& s) {
    strings_.push_back(s);
    return static_cast<uint32_t>(strings_.size() - 1);
  }
  // Appends an event; ts and seq follow the order of the calls.
  VectorSource& Add(uint32_t tid, trace::EventKind kind, uint64_t obj = 0, uint8_t flags = 0,
                    uint16_t aux16 = 0, uint64_t site = 0, uint32_t aux32 = 0) {
    StreamEvent e;
    e.tid = tid;
    e.ev.kind = static_cast<uint8_t>(kind);
    e.ev.flags = flags;
    e.ev.aux16 = aux16;
    e.ev.aux32 = aux32;
    e.ev.ts = 1000 * (events_.size() + 1);
    e.ev.seq = trace::IsSyncKind(kind) ? events_.size() + 1 : 0;
    e.ev.obj = obj;
    e.ev.site = site;
    events_.push_back(e);
    return *this;
  }
  // Sets the last event's seq (kAlloc keeps the block size there).
  VectorSource& Seq(uint64_t seq) {
    events_.back().ev.seq = seq;
    return *this;
  }
  // Sets the last event's time (a trace's clock may jump or go back).
  VectorSource& Ts(uint64_t ts) {
    events_.back().ev.ts = ts;
    return *this;
  }
  // A site given as text ("file.cc:12" or a function name).
  uint64_t Site(const std::string& s) { return trace::kSiteIsString | Str(s); }

  bool Next(StreamEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  const TraceMeta& Meta() const override { return meta_; }
  std::string_view String(uint32_t id) const override {
    return id < strings_.size() ? std::string_view(strings_[id]) : std::string_view();
  }
  const std::vector<ModuleInfo>& Modules() const override { return modules_; }
  const std::vector<std::string>& Warnings() const override { return warnings_; }
  TraceMeta& meta() { return meta_; }

 private:
  TraceMeta meta_;
  std::vector<std::string> strings_;
  std::vector<StreamEvent> events_;
  std::vector<ModuleInfo> modules_;
  std::vector<std::string> warnings_;
  size_t pos_ = 0;
};

inline AnalyzeOptions TestOptions() {
  AnalyzeOptions o;
  o.symbolize = false;
  o.contention = false;
  return o;
}

inline Report AnalyzeStd(const std::string& text, AnalyzeOptions opts = TestOptions()) {
  auto source = ParseStdText(text, "test.std");
  return Analyze(*source, opts);
}

inline std::vector<const Finding*> OfKind(const Report& r, const std::string& kind) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

// Sorted names of the variables that race.
inline std::vector<std::string> RacingVariables(const Report& r) {
  std::vector<std::string> out;
  for (const Finding* f : OfKind(r, "race")) {
    for (const std::string& v : f->variables) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace threadlens::testing
