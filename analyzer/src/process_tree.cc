// OpenRecording (process_tree.h): the sibling traces of a recording found, checked to be of
// the same recording, and merged by seq with each process's ids and addresses tagged.
#include "process_tree.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <vector>

#include "readers.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;
using trace::EventKind;

// Keys the tracer makes the same in every process (sync_keys.h): descriptor channels (top
// byte 0x0c), process edges (0x0e) and pipe ends (0x0a, the watchdog's: trace_watchdog.h).
// Every other object of a process is its own.
bool IsGlobalKey(uint64_t v) {
  return (v >> 56) == 0x0c || (v >> 56) == 0x0e || trace::IsPipeEndKey(v);
}
constexpr int kAddressTagShift = kProcessAddressShift;
// Shared objects: bit 55, the object's number from bit 36, the offset in the object below.
constexpr uint64_t kSharedBase = 1ull << 55;
constexpr int kSharedObjectShift = 36;
constexpr uint64_t kMaxSharedOffset = 1ull << kSharedObjectShift;
constexpr uint32_t kStringShift = 24;
constexpr uint32_t kOwnStrings = 255;  // the string ids of names made here: no process's
constexpr size_t kMappedKept = 1024;  // a process's mappings of shared memory kept for names

struct Mapping {
  uint64_t start, len, offset, object;
};

struct Process {
  std::unique_ptr<EventSource> src;
  uint32_t index = 0;
  std::vector<StreamEvent> buf;
  size_t at = 0;
  bool done = false;
  std::vector<Mapping> maps;
  std::deque<Mapping> mapped;  // every mapping it made, the latest last (SharedAddressIn)

  // The next event, or nullptr at the end.
  StreamEvent* Head() {
    if (at < buf.size()) return &buf[at];
    if (done) return nullptr;
    buf.resize(512);
    buf.resize(src->NextBatch(buf.data(), buf.size()));
    at = 0;
    if (buf.empty()) {
      done = true;
      return nullptr;
    }
    return &buf[0];
  }
};

bool HasTidObject(EventKind k, uint8_t flags) {
  switch (k) {
    case EventKind::kThreadCreate:
    case EventKind::kThreadStart:
    case EventKind::kThreadJoinBegin:
    case EventKind::kThreadJoin:
    case EventKind::kThreadDetach:
    case EventKind::kNameThread:
      return true;
    case EventKind::kBlocked:
      return flags == static_cast<uint8_t>(trace::BlockedOn::kJoin);
    default:
      return false;
  }
}

bool HasAddressObject(EventKind k) {
  switch (k) {
    case EventKind::kSignalLeave:
    case EventKind::kSignalUnsafeCall:
    case EventKind::kFence:
    case EventKind::kFuncExit:
    case EventKind::kWatchdogFired:
    case EventKind::kRunning:
    case EventKind::kIgnoresAtExit:
    case EventKind::kMapShared:
    case EventKind::kUnmapShared:
      return false;
    default:
      return !HasTidObject(k, 0);
  }
}

bool HasTidAux(EventKind k) {
  return k == EventKind::kBlocked || k == EventKind::kHolds || k == EventKind::kRunning;
}

bool HasStringAux(EventKind k) {
  return k == EventKind::kNameThread || k == EventKind::kNameLock ||
         k == EventKind::kNameVariable || k == EventKind::kMapShared || k == EventKind::kMapName;
}

class RecordingSource : public EventSource {
 public:
  explicit RecordingSource(std::vector<std::unique_ptr<EventSource>> sources) {
    for (auto& s : sources) {
      Process p;
      p.index = static_cast<uint32_t>(procs_.size());
      p.src = std::move(s);
      procs_.push_back(std::move(p));
    }
    if (procs_.size() == 1) own_forks_ = procs_[0].src->OpenForks();
  }

  // One process: its events as they are (no tags), only watched for forks without a child.
  size_t NextBatch(StreamEvent* out, size_t n) override {
    if (procs_.size() > 1) return EventSource::NextBatch(out, n);
    const size_t got = procs_[0].src->NextBatch(out, n);
    if (!own_forks_) {
      for (size_t i = 0; i < got; ++i) {
        if (IsForkKey(out[i].ev.obj)) Watch(procs_[0], out[i]);  // the test inline: every event
      }
    }
    if (got == 0) Finish();
    return got;
  }

  bool Next(StreamEvent& out) override {
    if (!named_.empty()) {
      out = named_.back();
      named_.pop_back();
      return true;
    }
    // A process whose next event is no sync event goes first: it stays between its thread's
    // neighbouring sync events, already placed. Else the smallest seq.
    Process* best = nullptr;
    for (Process& p : procs_) {
      StreamEvent* h = p.Head();
      if (!h) continue;
      if (!trace::IsSyncKind(h->kind())) {
        best = &p;
        break;
      }
      if (!best || h->ev.seq < best->buf[best->at].ev.seq) best = &p;
    }
    if (!best) {
      Finish();
      return false;
    }
    out = best->buf[best->at++];
    if (procs_.size() > 1) Translate(*best, out);
    Watch(*best, out);
    return true;
  }

  // Read again at each call: a reader learns at the end whether its file was complete.
  const TraceMeta& Meta() const override {
    if (procs_.size() == 1) return procs_[0].src->Meta();
    meta_ = procs_[0].src->Meta();
    // Flushed by a signal: some process's trace was, and none is incomplete otherwise.
    bool flushed = false, cut_short = false;
    for (const Process& p : procs_) {
      const TraceMeta& m = p.src->Meta();
      flushed = flushed || m.signal_flushed;
      cut_short = cut_short || (!m.complete && !m.signal_flushed);
      meta_.complete = meta_.complete && m.complete;
      meta_.truncated = meta_.truncated || m.truncated;
      meta_.watchdog = meta_.watchdog || m.watchdog;
      meta_.uninstrumented = meta_.uninstrumented && m.uninstrumented;
      meta_.start_ticks = std::min(meta_.start_ticks, m.start_ticks);
      for (const auto& kv : m.settings) {  // a fork child's are its parent's; exec'd may differ
        if (std::find(meta_.settings.begin(), meta_.settings.end(), kv) == meta_.settings.end()) {
          meta_.settings.push_back(kv);
        }
      }
    }
    meta_.signal_flushed = flushed && !cut_short;
    return meta_;
  }

  std::string_view String(uint32_t id) const override {
    const uint32_t p = id >> kStringShift;
    if (p == kOwnStrings) {
      const uint32_t i = id & ((1u << kStringShift) - 1);
      return i < own_strings_.size() ? std::string_view(own_strings_[i]) : std::string_view();
    }
    if (p >= procs_.size()) return {};
    return procs_[p].src->String(id & ((1u << kStringShift) - 1));
  }

  // The union of the processes' modules (a fork child maps its parent's at the same places).
  const std::vector<ModuleInfo>& Modules() const override {
    if (procs_.size() == 1) return procs_[0].src->Modules();
    modules_.clear();
    for (const Process& p : procs_) {
      for (const ModuleInfo& mod : p.src->Modules()) {
        bool known = false;
        for (const ModuleInfo& have : modules_) {
          known = known || (have.base == mod.base && have.path == mod.path);
        }
        if (!known) modules_.push_back(mod);
      }
    }
    return modules_;
  }

  const std::vector<std::string>& Warnings() const override {
    warnings_.clear();
    for (const Process& p : procs_) {
      for (const std::string& w : p.src->Warnings()) {
        warnings_.push_back(p.index == 0 ? w
                                         : "pid " + std::to_string(p.src->Meta().pid) + ": " + w);
      }
    }
    warnings_.insert(warnings_.end(), missing_.begin(), missing_.end());
    return warnings_;
  }

  uint64_t SharedAddressIn(uint32_t index, uint64_t addr) const override {
    if ((addr >> 55) != 1 || index >= procs_.size()) return addr;
    const uint64_t object = (addr - kSharedBase) >> kSharedObjectShift;
    const uint64_t offset = addr & (kMaxSharedOffset - 1);
    const std::deque<Mapping>& mapped = procs_[index].mapped;
    for (auto m = mapped.rbegin(); m != mapped.rend(); ++m) {
      if (m->object == object && offset - m->offset < m->len) return m->start + offset - m->offset;
    }
    return addr;
  }

  const std::vector<ProcessInfo>& Processes() const override {
    static const std::vector<ProcessInfo> kOne;
    if (procs_.size() == 1) return kOne;  // one process: named as ever, "T2"
    infos_.clear();
    for (const Process& p : procs_) {
      const TraceMeta& m = p.src->Meta();
      infos_.push_back({m.pid, m.ppid, m.program, m.path, m.complete});
    }
    return infos_;
  }

 private:
  uint64_t SharedObject(uint32_t string_id, const Process& p, bool* first) {
    std::string identity(p.src->String(string_id));
    auto [it, added] = objects_.emplace(identity, objects_.size());
    *first = added;
    return it->second;
  }

  // A name for the whole of a shared object the first time it is mapped, so an access no
  // name_variable covers reads "shared@0x7f..(anon 4242:7f..)+40", not a bare tagged
  // address. Names the program gives later (or at the same address) take precedence.
  void NameSharedObject(const Process& p, const StreamEvent& map, uint64_t object,
                        const Mapping& m) {
    char start[24];
    std::snprintf(start, sizeof start, "%llx", static_cast<unsigned long long>(m.start));
    own_strings_.push_back("shared@0x" + std::string(start) + " (" +
                           std::string(p.src->String(map.ev.aux32)) + ")");
    StreamEvent name = map;
    name.tid = MergedTid(p.index, map.tid);
    name.ev.kind = static_cast<uint8_t>(EventKind::kNameVariable);
    name.ev.aux16 = 0;  // a range of seq bytes
    name.ev.aux32 = (kOwnStrings << kStringShift) | static_cast<uint32_t>(own_strings_.size() - 1);
    name.ev.obj = kSharedBase | (object << kSharedObjectShift) | m.offset;
    name.ev.seq = m.len;
    name.ev.site = 0;
    named_.push_back(name);
  }

  uint64_t Address(const Process& p, uint64_t a) const {
    for (const Mapping& m : p.maps) {
      if (a - m.start < m.len && a - m.start + m.offset < kMaxSharedOffset) {
        return kSharedBase | (m.object << kSharedObjectShift) | (a - m.start + m.offset);
      }
    }
    if (p.index == 0 || IsGlobalKey(a) || a == 0) return a;
    return a | (static_cast<uint64_t>(p.index) << kAddressTagShift);
  }

  uint32_t String(const Process& p, uint32_t id) const {
    return id == 0 ? 0 : (p.index << kStringShift) | id;
  }

  void Translate(Process& p, StreamEvent& e) {
    trace::Event& ev = e.ev;
    const EventKind k = e.kind();
    if (k == EventKind::kMapShared) {
      bool first = false;
      const uint64_t object = SharedObject(ev.aux32, p, &first);
      p.maps.push_back({ev.obj, ev.seq, ev.site, object});
      // Kept for naming; bounded, as a program may map and unmap in a loop.
      if (p.mapped.size() == kMappedKept) p.mapped.pop_front();
      p.mapped.push_back(p.maps.back());
      if (first) NameSharedObject(p, e, object, p.maps.back());
    } else if (k == EventKind::kUnmapShared) {
      std::erase_if(p.maps, [&](const Mapping& m) {
        return m.start < ev.obj + ev.seq && ev.obj < m.start + m.len;
      });
    }
    e.tid = MergedTid(p.index, e.tid);
    if (HasTidObject(k, ev.flags)) {
      ev.obj = MergedTid(p.index, static_cast<uint32_t>(ev.obj));
    } else if (HasAddressObject(k)) {
      ev.obj = Address(p, ev.obj);
    }
    if (HasTidAux(k)) ev.aux32 = MergedTid(p.index, ev.aux32);
    if (HasStringAux(k)) ev.aux32 = String(p, ev.aux32);
    if (ev.site & trace::kSiteIsString) {
      ev.site = trace::kSiteIsString | String(p, static_cast<uint32_t>(ev.site));
    }
  }

  // A fork releases its key in the parent and the child acquires it: a release nobody
  // acquired is a child whose events are not in the recording.
  void Watch(const Process& p, const StreamEvent& e) {
    if (!IsForkKey(e.ev.obj)) return;
    if (e.kind() == EventKind::kHappensBefore) forks_.emplace(e.ev.obj, p.src->Meta().pid);
    if (e.kind() == EventKind::kHappensAfter) forks_.erase(e.ev.obj);
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    if (own_forks_) {
      for (uint64_t key : *own_forks_) forks_.emplace(key, procs_[0].src->Meta().pid);
    }
    for (const auto& [key, pid] : forks_) {
      missing_.push_back("a process forked by pid " + std::to_string(pid) +
                         " has no events in the recording: its trace is missing, or empty "
                         "(it could not write it, or was killed before it wrote anything)");
    }
  }

  std::vector<Process> procs_;
  mutable std::vector<ProcessInfo> infos_;
  mutable TraceMeta meta_;
  mutable std::vector<ModuleInfo> modules_;
  mutable std::vector<std::string> warnings_;
  std::map<std::string, uint64_t> objects_;
  std::map<uint64_t, uint32_t> forks_;    // fork key -> the forking pid
  // One process whose source watches its forks: the keys it holds open.
  const std::set<uint64_t>* own_forks_ = nullptr;
  std::vector<std::string> own_strings_;  // names this source makes, string ids kOwnStrings.N
  std::vector<StreamEvent> named_;        // events to return before the next one read
  std::vector<std::string> missing_;
  bool finished_ = false;
};

// BASE.PID and BASE.PID.N beside `path`, ordered by pid then N.
std::vector<std::string> Siblings(const std::string& path) {
  std::vector<std::pair<std::pair<unsigned long, unsigned long>, std::string>> found;
  fs::path b(path);
  const std::string prefix = b.filename().string() + ".";
  std::error_code ec;
  fs::path dir = b.has_parent_path() ? b.parent_path() : fs::path(".");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() <= prefix.size() || n.compare(0, prefix.size(), prefix) != 0) continue;
    unsigned long pid = 0, image = 0;
    char tail = 0;
    const std::string rest = n.substr(prefix.size());
    int got = std::sscanf(rest.c_str(), "%lu.%lu%c", &pid, &image, &tail);
    if (!std::isdigit(static_cast<unsigned char>(rest[0])) || got < 1 || got > 2) continue;
    if (rest.find_first_not_of("0123456789.") != std::string::npos) continue;
    found.push_back({{pid, image}, b.has_parent_path() ? (dir / n).string() : n});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

// Every process's trace stays open while the stream is read: room for all of them under the
// soft limit on descriptors (1024 by default), as far as the hard limit allows.
void MakeRoomForFiles(size_t files) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  const rlim_t want = files + 64;
  if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= want) return;
  r.rlim_cur = r.rlim_max == RLIM_INFINITY ? want : std::min<rlim_t>(want, r.rlim_max);
  setrlimit(RLIMIT_NOFILE, &r);
}

std::string Hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::unique_ptr<EventSource> OpenRecording(const std::string& path,
                                           std::unique_ptr<EventSource> first) {
  const uint64_t recording = first->Meta().recording;
  // A v1/v2 trace: each process was its own recording, read alone as before.
  if (recording == 0) return first;
  std::vector<std::string> siblings = Siblings(path);
  // Said before opening them: a thousand siblings would first run out of descriptors, with a
  // message about one of them.
  if (siblings.size() + 1 > kMaxProcesses) {
    throw Error(path + ": the recording holds " + std::to_string(siblings.size() + 1) +
                " processes; threadlens reads at most " + std::to_string(kMaxProcesses) +
                " together. Each process's own file (" + path +
                ".PID) can be analyzed alone, without what other processes synchronized with it");
  }
  MakeRoomForFiles(siblings.size() + 1);
  std::vector<std::unique_ptr<EventSource>> sources;
  sources.push_back(std::move(first));
  for (const std::string& s : siblings) {
    std::unique_ptr<EventSource> src;
    try {
      src = OpenBinaryTrace(s);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (a process of the recording " + path +
                      "; remove it to read the others)",
                  e.exit_code());
    }
    const uint64_t other = src->Meta().recording;
    if (other != recording) {
      throw Error(s + " is a trace of another recording (id " + (other ? Hex(other) : "none") +
                      ") than " + path + " (id " + Hex(recording) +
                      "): traces of unrelated processes are never merged; move it away, or "
                      "record the program again",
                  kExitUnrelated);
    }
    sources.push_back(std::move(src));
  }
  return std::make_unique<RecordingSource>(std::move(sources));
}

}  // namespace threadlens
