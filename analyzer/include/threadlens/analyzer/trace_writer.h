// TraceWriter: writes binary trace format v1 from outside a traced program — the converter
// (STD text -> binary), tests and the trace generator. Same layout as the tracer runtime
// writes (trace_format.h); the reader cannot tell the two apart.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/trace_format.h"

namespace threadlens {

class TraceWriter {
 public:
  struct Options {
    std::string program;
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint64_t recording = 0;  // the recording id of the header (0: none)
    trace::ClockSource clock = trace::ClockSource::kMonotonicNs;
    uint64_t ticks_per_second = 1'000'000'000;
    uint64_t start_ticks = 0;
    uint64_t start_unix_ns = 0;
    uint32_t block_events = 2048;  // events per kEvents block
  };

  // Creates (truncates) `path` and writes the header, marked incomplete until Close().
  // Throws Error when the file cannot be written.
  TraceWriter(const std::string& path, Options options);
  explicit TraceWriter(const std::string& path) : TraceWriter(path, Options()) {}
  ~TraceWriter();  // closes cleanly if Close() was not called; errors are swallowed
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Interns a string; the same text gets the same id. Written before any later event block.
  // Interned ids count down from 0xffffffff, so they never collide with the ids a copied
  // trace brings along through DefineString().
  uint32_t String(std::string_view s);
  // Defines string `id` explicitly (keeps the ids of a trace being copied). Throws Error if
  // `id` is one String() already handed out.
  void DefineString(uint32_t id, std::string_view s);

  // Appends an event to thread `tid`'s stream. A synchronization event (trace::IsSyncKind)
  // with seq 0 gets the next global sequence number; a given seq is kept. Events of one
  // thread must come in that thread's program order.
  void Add(uint32_t tid, const trace::Event& ev);
  // Convenience: the event's fields in the order of trace::Event.
  void Add(uint32_t tid, trace::EventKind kind, uint8_t flags = 0, uint16_t aux16 = 0,
           uint32_t aux32 = 0, uint64_t obj = 0, uint64_t site = 0, uint64_t ts = 0,
           uint64_t seq = 0);

  void Modules(const std::vector<ModuleInfo>& modules);
  // Writes every buffered event block.
  void Flush();
  // Flushes, writes the end block and marks the header complete (and watchdog if asked).
  void Close(bool watchdog = false);

  // Writes one block as given (tests of damaged traces). Flushes pending strings first.
  void RawBlock(trace::BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                uint32_t size, const uint32_t* checksum = nullptr);
  uint64_t events_written() const { return events_; }

 private:
  void WriteBlock(trace::BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                  uint32_t size);
  void AppendString(uint32_t id, std::string_view s);
  void FlushStrings();
  void FlushThread(uint32_t tid);
  void Write(const void* p, size_t n);

  std::string path_;
  std::FILE* file_ = nullptr;
  Options options_;
  trace::FileHeader header_{};
  std::unordered_map<std::string, uint32_t> string_ids_;
  uint32_t next_auto_id_ = 0xffffffffu;
  std::vector<char> pending_strings_;
  uint32_t pending_count_ = 0;
  std::unordered_map<uint32_t, std::vector<trace::Event>> buffers_;
  std::vector<uint32_t> thread_order_;  // first-seen order, so blocks come out deterministic
  uint64_t seq_ = 0;
  uint64_t events_ = 0;
  bool closed_ = false;
};

}  // namespace threadlens
