// RAPID STD text traces: a streaming importer (one line at a time, one line of lookahead) that
// maps each line to trace events. The exporter back to text is std_text_export.cc.
#include "threadlens/analyzer/std_text.h"

#include <cstdio>
#include <cstring>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "flat_map.h"
#include "line_reader.h"
#include "std_text_parse.h"
#include "readers.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

using trace::EventKind;
using stdtext::ParseNumbered;
using stdtext::ParseU64;
using stdtext::Trim;

// Objects named by non-numeric operands get ids from these ranges, so they never collide
// with numeric operands (which keep their number as address or tid).
constexpr uint32_t kInternedTidBase = 0x40000000u;
constexpr uint64_t kInternedLockBase = 1ull << 56;
constexpr uint64_t kInternedVarBase = 2ull << 56;

struct Line {
  uint64_t number = 0;
  std::string thread, op, arg, site;
  bool has_arg = false;
};

class StdTraceReader : public EventSource {
 public:
  StdTraceReader(FILE* f, std::string name, std::string path) : lines_(f, true) {
    meta_.path = std::move(path);
    meta_.program = name;
    meta_.format = "std";
    meta_.complete = true;
    meta_.ticks_per_second = 1'000'000'000;
    size_t slash = name.find_last_of('/');
    base_ = slash == std::string::npos ? name : name.substr(slash + 1);
    strings_.emplace_back();  // id 0 = no string
  }

  bool Next(StreamEvent& out) override {
    while (queue_pos_ == queue_.size()) {
      queue_.clear();
      queue_pos_ = 0;
      Line line;
      if (!ReadLine(line)) return false;
      Translate(line);
    }
    out = queue_[queue_pos_++];
    return true;
  }
  const TraceMeta& Meta() const override { return meta_; }
  std::string_view String(uint32_t id) const override {
    return id < strings_.size() ? std::string_view(strings_[id]) : std::string_view();
  }
  const std::vector<ModuleInfo>& Modules() const override { return modules_; }
  const std::vector<std::string>& Warnings() const override { return warnings_; }

 private:
  struct ThreadState {
    bool started = false;
    bool exited = false;
    uint32_t parent = 0;
    bool in_wait = false;  // between wait(L) and the re-acquisition of L
    uint64_t wait_obj = 0;
    bool reacquiring = false;  // wait ended, lock not yet re-acquired
  };
  struct HoldKey {
    uint32_t tid;
    uint64_t lock;
    bool operator==(const HoldKey&) const = default;
  };
  struct HoldKeyHash {
    size_t operator()(const HoldKey& k) const {
      return std::hash<uint64_t>()(k.lock * 0x9E3779B97F4A7C15ull ^ k.tid);
    }
  };

  [[noreturn]] void Fail(uint64_t line, const std::string& msg) const {
    throw Error(meta_.program + ":" + std::to_string(line) + ": " + msg +
                " (expected `thread|op(operand)|site`, e.g. `T1|acq(L1)|42`)");
  }

  bool ReadRaw(Line& out) {
    std::string_view text;
    for (;;) {
      if (!lines_.Get(text)) {
        if (lines_.too_long()) {
          Fail(line_no_ + 1, "line longer than " + std::to_string(LineReader::kMaxLine) +
                                 " bytes (not STD text?)");
        }
        return false;
      }
      ++line_no_;
      text = Trim(text);
      if (text.empty() || text.front() == '#') continue;
      break;
    }
    out = Line{};
    out.number = line_no_;
    size_t bar1 = text.find('|');
    if (bar1 == std::string_view::npos) Fail(line_no_, "missing `|`");
    size_t bar2 = text.find('|', bar1 + 1);
    std::string_view thread = Trim(text.substr(0, bar1));
    std::string_view op = Trim(text.substr(
        bar1 + 1, bar2 == std::string_view::npos ? std::string_view::npos : bar2 - bar1 - 1));
    std::string_view site =
        bar2 == std::string_view::npos ? std::string_view() : Trim(text.substr(bar2 + 1));
    if (thread.empty()) Fail(line_no_, "empty thread");
    size_t paren = op.find('(');
    if (paren != std::string_view::npos) {
      if (op.back() != ')') Fail(line_no_, "unclosed `(` in `" + std::string(op) + "`");
      out.arg = std::string(Trim(op.substr(paren + 1, op.size() - paren - 2)));
      out.has_arg = true;
      op = Trim(op.substr(0, paren));
    }
    out.thread = std::string(thread);
    out.op = std::string(op);
    out.site = std::string(site);
    return true;
  }

  bool ReadLine(Line& out) {
    if (peeked_valid_) {
      out = std::move(peeked_);
      peeked_valid_ = false;
      return true;
    }
    return ReadRaw(out);
  }
  bool Peek(Line*& out) {
    if (!peeked_valid_) {
      if (!ReadRaw(peeked_)) return false;
      peeked_valid_ = true;
    }
    out = &peeked_;
    return true;
  }

  uint32_t Intern(const std::string& s) {
    auto [it, inserted] = string_ids_.try_emplace(s, static_cast<uint32_t>(strings_.size()));
    if (inserted) strings_.push_back(s);
    return it->second;
  }

  uint64_t Site(const Line& line) {
    if (line.site.empty()) return 0;
    // Numeric sites (the usual case) skip hashing the text.
    uint64_t number;
    if (ParseU64(line.site, number)) {
      bool inserted;
      uint64_t& id = numeric_sites_.FindOrInsert(number, 0, inserted);
      if (inserted) id = trace::kSiteIsString | Intern(base_ + ":" + line.site);
      return id;
    }
    auto it = site_cache_.find(line.site);
    if (it != site_cache_.end()) return it->second;
    uint64_t site = trace::kSiteIsString | Intern(base_ + ":" + line.site);
    site_cache_.emplace(line.site, site);
    return site;
  }

  StreamEvent& Emit(EventKind kind, uint32_t tid, uint64_t obj, uint64_t site,
                    uint8_t flags = 0) {
    StreamEvent& e = queue_.emplace_back();
    e.tid = tid;
    e.ev.kind = static_cast<uint8_t>(kind);
    e.ev.flags = flags;
    e.ev.ts = current_line_;
    e.ev.seq = trace::IsSyncKind(kind) ? ++seq_ : 0;
    e.ev.obj = obj;
    e.ev.site = site;
    return e;
  }

  uint32_t ThreadId(const std::string& name, uint64_t line) {
    uint64_t n;
    if (ParseNumbered(name, 'T', n) && n < kInternedTidBase) return static_cast<uint32_t>(n);
    auto it = thread_ids_.find(name);
    if (it != thread_ids_.end()) return it->second;
    uint32_t tid = kInternedTidBase + next_tid_++;
    thread_ids_.emplace(name, tid);
    pending_thread_names_.emplace(tid, Intern(name));
    return tid;
  }

  // Makes sure `tid` has started: its first event is kThreadStart (and its name).
  ThreadState& Thread(uint32_t tid, uint64_t site) {
    ThreadState& t = threads_[tid];
    if (!t.started) {
      t.started = true;
      Emit(EventKind::kThreadStart, tid, t.parent, site);
      auto it = pending_thread_names_.find(tid);
      if (it != pending_thread_names_.end()) {
        Emit(EventKind::kNameThread, tid, tid, 0).ev.aux32 = it->second;
        pending_thread_names_.erase(it);
      }
    }
    return t;
  }

  uint64_t Object(const Line& line, char prefix, uint64_t interned_base,
                  std::unordered_map<std::string, uint64_t>& ids, bool& is_new) {
    if (!line.has_arg || line.arg.empty()) Fail(line.number, "`" + line.op + "` needs an operand");
    // Numeric operands (the usual case) skip hashing the text.
    uint64_t number;
    if (ParseNumbered(line.arg, prefix, number) && number < kInternedLockBase) {
      seen_numbers_[prefix == 'L' ? 0 : 1].FindOrInsert(number, 1, is_new);
      return number;
    }
    auto it = ids.find(line.arg);
    if (it != ids.end()) {
      is_new = false;
      return it->second;
    }
    uint64_t n;
    uint64_t obj = ParseNumbered(line.arg, prefix, n) && n < kInternedLockBase
                       ? n
                       : interned_base + ids.size();
    ids.emplace(line.arg, obj);
    is_new = true;
    return obj;
  }

  uint64_t Lock(const Line& line, uint32_t tid, uint64_t site) {
    bool is_new;
    uint64_t lock = Object(line, 'L', kInternedLockBase, lock_ids_, is_new);
    if (is_new) {
      // Java monitors, which these traces come from, are re-entrant.
      Emit(EventKind::kLockCreate, tid, lock, site).ev.aux16 =
          static_cast<uint16_t>(trace::LockType::kRecursive);
      std::string name = line.arg;
      uint64_t n;
      if (ParseU64(name, n)) name = "L" + name;
      Emit(EventKind::kNameLock, tid, lock, 0).ev.aux32 = Intern(name);
    }
    return lock;
  }

  // The first req/acq of L after wait(L) ends the wait; the acquisition that follows is the
  // wait's re-acquisition.
  void EndWaitIfAny(ThreadState& t, uint32_t tid, uint64_t lock, uint64_t site) {
    if (t.in_wait && t.wait_obj == lock) {
      Emit(EventKind::kCondWaitEnd, tid, lock, site);
      t.in_wait = false;
      t.reacquiring = true;
    }
  }

  void Translate(const Line& line) {
    current_line_ = line.number;
    uint32_t tid = ThreadId(line.thread, line.number);
    uint64_t site = Site(line);
    ThreadState& t = Thread(tid, site);
    const std::string& op = line.op;
    if (op == "r" || op == "w") {
      bool is_new;
      uint64_t var = Object(line, 'V', kInternedVarBase, var_ids_, is_new);
      if (is_new) {
        std::string name = line.arg;
        uint64_t n;
        if (ParseU64(name, n)) name = "V" + name;
        StreamEvent& e = Emit(EventKind::kNameVariable, tid, var, 0);
        e.ev.aux32 = Intern(name);
      }
      // STD does not say how wide an access is: size 0, and the variable is its operand.
      Emit(op == "r" ? EventKind::kRead : EventKind::kWrite, tid, var, site);
    } else if (op == "acq" || op == "req") {
      uint64_t lock = Lock(line, tid, site);
      EndWaitIfAny(t, tid, lock, site);
      uint8_t via = t.reacquiring && t.wait_obj == lock ? trace::kViaCondWait : 0;
      if (op == "req") {
        Emit(EventKind::kLockRequest, tid, lock, site, via);
      } else {
        uint16_t& depth = depth_[HoldKey{tid, lock}];
        ++depth;
        Emit(EventKind::kLockAcquired, tid, lock, site, via).ev.aux16 = depth;
        t.reacquiring = false;
      }
    } else if (op == "rel") {
      uint64_t lock = Lock(line, tid, site);
      auto it = depth_.find(HoldKey{tid, lock});
      uint16_t depth = 0;
      if (it != depth_.end() && it->second > 0) {
        depth = --it->second;
        if (depth == 0) depth_.erase(it);
      }
      // SPD dialect: `rel(L)` directly followed by the same thread's `wait(L)` is the release
      // inside a condition wait; the trace format puts the wait's begin first.
      Line* next;
      if (Peek(next) && next->op == "wait" && next->thread == line.thread &&
          next->arg == line.arg) {
        Emit(EventKind::kCondWaitBegin, tid, lock, Site(*next));
        Emit(EventKind::kLockRelease, tid, lock, site, trace::kViaCondWait).ev.aux16 = depth;
        t.in_wait = true;
        t.wait_obj = lock;
        Line consumed;
        ReadLine(consumed);
      } else {
        Emit(EventKind::kLockRelease, tid, lock, site).ev.aux16 = depth;
      }
    } else if (op == "wait") {
      uint64_t lock = Lock(line, tid, site);
      Emit(EventKind::kCondWaitBegin, tid, lock, site);
      t.in_wait = true;
      t.wait_obj = lock;
    } else if (op == "notify" || op == "notifyall" || op == "notifyAll") {
      uint64_t lock = Lock(line, tid, site);
      Emit(op == "notify" ? EventKind::kCondSignal : EventKind::kCondBroadcast, tid, lock, site);
    } else if (op == "fork") {
      if (!line.has_arg) Fail(line.number, "`fork` needs the thread it starts");
      uint32_t child = ThreadId(line.arg, line.number);
      ThreadState& c = threads_[child];
      if (c.started) Fail(line.number, "thread " + line.arg + " forked after it ran");
      c.parent = tid;
      Emit(EventKind::kThreadCreate, tid, child, site);
    } else if (op == "join") {
      if (!line.has_arg) Fail(line.number, "`join` needs the thread it waits for");
      uint32_t child = ThreadId(line.arg, line.number);
      ThreadState& c = threads_[child];
      if (!c.exited) {
        c.exited = true;
        if (c.started) Emit(EventKind::kThreadExit, child, 0, 0);
      }
      Emit(EventKind::kThreadJoinBegin, tid, child, site);
      Emit(EventKind::kThreadJoin, tid, child, site);
    } else if (op == "begin") {
      uint64_t fn = line.has_arg && !line.arg.empty()
                        ? (trace::kSiteIsString | Intern(line.arg))
                        : site;
      Emit(EventKind::kFuncEntry, tid, 0, fn);
    } else if (op == "end") {
      Emit(EventKind::kFuncExit, tid, 0, 0);
    } else {
      Fail(line.number, "unknown operation `" + op +
                            "` (known: acq rel req r w fork join wait notify begin end)");
    }
  }

  LineReader lines_;
  TraceMeta meta_;
  std::string base_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  std::unordered_map<std::string, uint64_t> site_cache_;
  analysis::FlatMap<uint64_t> numeric_sites_;
  analysis::FlatMap<uint8_t> seen_numbers_[2];  // numeric locks, numeric variables
  std::unordered_map<std::string, uint32_t> thread_ids_;
  std::unordered_map<uint32_t, uint32_t> pending_thread_names_;
  std::unordered_map<std::string, uint64_t> lock_ids_, var_ids_;
  std::unordered_map<uint32_t, ThreadState> threads_;
  std::unordered_map<HoldKey, uint16_t, HoldKeyHash> depth_;
  std::vector<ModuleInfo> modules_;
  std::vector<std::string> warnings_;
  std::vector<StreamEvent> queue_;
  size_t queue_pos_ = 0;
  Line peeked_;
  bool peeked_valid_ = false;
  uint64_t line_no_ = 0, current_line_ = 0, seq_ = 0;
  uint32_t next_tid_ = 0;
};

}  // namespace

std::unique_ptr<EventSource> OpenStdTrace(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open (does the file exist and is it readable?)");
  return std::make_unique<StdTraceReader>(f, path, path);
}

std::unique_ptr<EventSource> ParseStdText(std::string text, const std::string& name) {
  // fmemopen reads the string in place; keep it alive with the reader.
  struct Owned : StdTraceReader {
    Owned(std::unique_ptr<std::string> t, FILE* f, const std::string& n)
        : StdTraceReader(f, n, n), text(std::move(t)) {}
    std::unique_ptr<std::string> text;
  };
  auto owned = std::make_unique<std::string>(std::move(text));
  if (owned->empty()) owned->push_back('\n');
  FILE* f = fmemopen(owned->data(), owned->size(), "r");
  if (!f) throw Error(name + ": cannot read STD text", kExitInternal);
  return std::make_unique<Owned>(std::move(owned), f, name);
}

bool LooksLikeStdText(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[256];
  size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  if (n >= sizeof(trace::kMagic) && std::memcmp(buf, trace::kMagic, sizeof trace::kMagic) == 0) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    if (buf[i] == 0) return false;
  }
  return std::memchr(buf, '|', n) != nullptr || n == 0;
}

}  // namespace threadlens
