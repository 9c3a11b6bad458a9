// TraceWriter: the offline writer of binary trace format v1 (see threadlens/analyzer/trace_writer.h).
#include "threadlens/analyzer/trace_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "threadlens/analyzer/error.h"
#include "threadlens/crc32c.h"

namespace threadlens {

using trace::BlockKind;

TraceWriter::TraceWriter(const std::string& path, Options options)
    : path_(path), options_(std::move(options)) {
  if (options_.block_events == 0) options_.block_events = 1;
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw Error(path + ": cannot write: " + std::strerror(errno));
  std::memcpy(header_.magic, trace::kMagic, sizeof header_.magic);
  header_.version = trace::kVersion;
  header_.header_size = sizeof(trace::FileHeader);
  header_.pid = options_.pid;
  header_.ppid = options_.ppid;
  header_.recording = options_.recording;
  header_.clock_source = static_cast<uint32_t>(options_.clock);
  header_.ticks_per_second = options_.ticks_per_second;
  header_.start_ticks = options_.start_ticks;
  header_.start_unix_ns = options_.start_unix_ns;
  std::snprintf(header_.program, sizeof header_.program, "%s", options_.program.c_str());
  Write(&header_, sizeof header_);
}

TraceWriter::~TraceWriter() {
  if (!closed_) {
    try {
      Close();
    } catch (...) {
    }
  }
  if (file_) std::fclose(file_);
}

void TraceWriter::Write(const void* p, size_t n) {
  if (n && std::fwrite(p, 1, n, file_) != n) {
    throw Error(path_ + ": write failed: " + std::strerror(errno));
  }
}

void TraceWriter::WriteBlock(BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                             uint32_t size) {
  trace::BlockHeader h{};
  h.magic = trace::kBlockMagic;
  h.kind = static_cast<uint32_t>(kind);
  h.tid = tid;
  h.count = count;
  h.payload_size = size;
  h.checksum = trace::Crc32c(payload, size);
  Write(&h, sizeof h);
  Write(payload, size);
}

void TraceWriter::RawBlock(BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                           uint32_t size, const uint32_t* checksum) {
  FlushStrings();
  trace::BlockHeader h{};
  h.magic = trace::kBlockMagic;
  h.kind = static_cast<uint32_t>(kind);
  h.tid = tid;
  h.count = count;
  h.payload_size = size;
  h.checksum = checksum ? *checksum : trace::Crc32c(payload, size);
  Write(&h, sizeof h);
  Write(payload, size);
}

uint32_t TraceWriter::String(std::string_view s) {
  auto it = string_ids_.find(std::string(s));
  if (it != string_ids_.end()) return it->second;
  uint32_t id = next_auto_id_--;
  string_ids_.emplace(std::string(s), id);
  AppendString(id, s);
  return id;
}

void TraceWriter::DefineString(uint32_t id, std::string_view s) {
  if (id > next_auto_id_) {
    throw Error(path_ + ": string id " + std::to_string(id) + " is already in use", kExitInternal);
  }
  string_ids_.emplace(std::string(s), id);
  AppendString(id, s);
}

void TraceWriter::AppendString(uint32_t id, std::string_view s) {
  trace::StringEntry e{id, static_cast<uint32_t>(s.size())};
  const char* p = reinterpret_cast<const char*>(&e);
  pending_strings_.insert(pending_strings_.end(), p, p + sizeof e);
  pending_strings_.insert(pending_strings_.end(), s.begin(), s.end());
  ++pending_count_;
  if (pending_strings_.size() > (1u << 20)) FlushStrings();
}

void TraceWriter::FlushStrings() {
  if (pending_count_ == 0) return;
  WriteBlock(BlockKind::kStrings, 0, pending_count_, pending_strings_.data(),
             static_cast<uint32_t>(pending_strings_.size()));
  pending_strings_.clear();
  pending_count_ = 0;
}

void TraceWriter::Add(uint32_t tid, const trace::Event& ev) {
  trace::Event e = ev;
  if (trace::IsSyncKind(static_cast<trace::EventKind>(e.kind))) {
    if (e.seq == 0)
      e.seq = ++seq_;
    else
      seq_ = std::max(seq_, e.seq);
  }
  auto [it, fresh] = buffers_.try_emplace(tid);
  if (fresh) thread_order_.push_back(tid);
  it->second.push_back(e);
  if (it->second.size() >= options_.block_events) FlushThread(tid);
}

void TraceWriter::Add(uint32_t tid, trace::EventKind kind, uint8_t flags, uint16_t aux16,
                      uint32_t aux32, uint64_t obj, uint64_t site, uint64_t ts, uint64_t seq) {
  trace::Event e{};
  e.kind = static_cast<uint8_t>(kind);
  e.flags = flags;
  e.aux16 = aux16;
  e.aux32 = aux32;
  e.ts = ts;
  e.seq = seq;
  e.obj = obj;
  e.site = site;
  Add(tid, e);
}

void TraceWriter::FlushThread(uint32_t tid) {
  auto it = buffers_.find(tid);
  if (it == buffers_.end() || it->second.empty()) return;
  FlushStrings();  // strings go before any block that may name them
  auto& v = it->second;
  WriteBlock(BlockKind::kEvents, tid, static_cast<uint32_t>(v.size()), v.data(),
             static_cast<uint32_t>(v.size() * sizeof(trace::Event)));
  events_ += v.size();
  v.clear();
}

void TraceWriter::Flush() {
  FlushStrings();
  for (uint32_t tid : thread_order_) FlushThread(tid);
  std::fflush(file_);
}

void TraceWriter::Modules(const std::vector<ModuleInfo>& modules) {
  std::vector<trace::ModuleEntry> entries;
  for (const auto& m : modules) {
    entries.push_back({m.base, m.size, String(m.path), m.build_id.empty() ? 0 : String(m.build_id)});
  }
  FlushStrings();
  WriteBlock(BlockKind::kModules, 0, static_cast<uint32_t>(entries.size()), entries.data(),
             static_cast<uint32_t>(entries.size() * sizeof(trace::ModuleEntry)));
}

void TraceWriter::Close(bool watchdog) {
  if (closed_) return;
  Flush();
  trace::EndRecord end{};
  end.events = events_;
  end.threads = static_cast<uint32_t>(thread_order_.size());
  WriteBlock(BlockKind::kEnd, 0, 1, &end, sizeof end);
  header_.flags |= trace::kHeaderComplete;
  if (watchdog) header_.flags |= trace::kHeaderWatchdog;
  if (std::fseek(file_, 0, SEEK_SET) != 0) throw Error(path_ + ": cannot seek");
  Write(&header_, sizeof header_);
  if (std::fflush(file_) != 0) throw Error(path_ + ": write failed: " + std::strerror(errno));
  closed_ = true;
}

}  // namespace threadlens
