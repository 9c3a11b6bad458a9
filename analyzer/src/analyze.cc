// The analyzer's entry points, and the stable fingerprint of a finding (what baselines
// and suppressions match on). The work is in analysis.h and the detectors.
#include "threadlens/analyzer/analyze.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "analysis.h"
#include "function_names.h"
#include "namer.h"
#include "read_ahead.h"
#include "threadlens/analyzer/error.h"
#include "tsan_settings.h"

namespace threadlens {
namespace analysis {

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead: return "read";
    case Op::kWrite: return "write";
    case Op::kRequest: return "request";
    case Op::kAcquire: return "acquire";
    case Op::kRelease: return "release";
    case Op::kWait: return "wait";
    case Op::kJoin: return "join";
    case Op::kSemWait: return "sem-wait";
    case Op::kDestroy: return "destroy";
    case Op::kExit: return "exit";
    case Op::kSignal: return "signal";
    case Op::kAlloc: return "allocate";
    case Op::kFree: return "free";
    case Op::kCreate: return "create";
    case Op::kDetach: return "detach";
    case Op::kHandler: return "signal handler";
    case Op::kCall: return "call";
    case Op::kIgnoreBegin: return "ignore-begin";
    case Op::kFutexWait: return "futex-wait";
    case Op::kWaitProcess: return "wait-process";
    case Op::kPipeRead: return "pipe-read";
    case Op::kPipeWrite: return "pipe-write";
    case Op::kSigWait: return "signal-wait";
  }
  return "?";
}

unsigned Analysis::RaceWorkers(const AnalyzeOptions& opts, EventSource& source) {
  if (!opts.races || source.Meta().uninstrumented) return 0;
  if (opts.race_workers >= 0) return static_cast<unsigned>(std::min(opts.race_workers, 64));
  if (const char* env = std::getenv("THREADLENS_RACE_WORKERS"); env && *env) {
    return static_cast<unsigned>(std::clamp(std::atoi(env), 0, 64));
  }
  const int cpus = UsableCpus();
  // The main thread is one of the busy threads: on two CPUs one worker beside it does as well
  // as two (a third busy thread only takes turns), with less CPU time.
  return cpus >= 3 ? 2 : cpus == 2 ? 1 : 0;
}

Report Analysis::Run() {
  // The shadow memory of the access kAhead events on is prefetched while one is handled: on
  // large traces the race detector waits on cache misses, not on work (checking on this
  // thread; workers prefetch their own shards).
  constexpr size_t kAhead = 32;
  const bool prefetch_shadow = opts_.races && race_.workers() == 0;
  namer_.Prestart();
  const StreamEvent* span = nullptr;
  bool reads_inline = false;  // the source was told to read on this thread
  while (size_t n = source_.NextSpan(&span)) {
    for (size_t i = 0; i < n; ++i) {
      if (opts_.races && i + kAhead < n) {
        const StreamEvent& ahead = span[i + kAhead];
        const auto k = ahead.kind();
        if (k == trace::EventKind::kRead || k == trace::EventKind::kWrite) {
          if (prefetch_shadow) race_.Prefetch(ahead.ev.obj);
        } else if (k == trace::EventKind::kAtomicLoad || k == trace::EventKind::kAtomicRmw ||
                   k == trace::EventKind::kAtomicStore) {
          // Atomics look their release sequence up on this thread, workers or not: a hash
          // slot, a likely miss where a program has many atomics.
          hb_.PrefetchAtomic(ahead.ev.obj);
        }
      }
      const StreamEvent& e = span[i];
      if (index_ == 0) begin_ts_ = e.ev.ts;
      end_ts_ = std::max(end_ts_, e.ev.ts);
      Handle(e);
      ++index_;
    }
    if (opts_.progress && (index_ >> 16) != ((index_ - n) >> 16)) opts_.progress(index_);
    // This thread waits on the race workers: reading the trace here costs no time, where a
    // reading thread would take CPU from them.
    if (!reads_inline && race_.WorkersBehind()) {
      source_.ReadOnCallerThread();
      reads_inline = true;
    }
  }
  std::set<uint32_t> being_joined;
  for (const ThreadCtx& t : threads_) {
    if (!t.exited && t.pending.kind == Pending::kJoin) {
      being_joined.insert(static_cast<uint32_t>(t.pending.obj));
    }
  }
  // A thread leak is the end of a program that ended on its own (as ThreadSanitizer reports
  // them at exit): one stopped by the watchdog, a crash or a kill might still have joined.
  const TraceMeta& meta = source_.Meta();
  const bool stopped = meta.format == "binary" &&
                       (!meta.complete || meta.watchdog || watchdog_ || crash_signal_ != 0);
  for (RawFinding& f : lifecycle_.TakeFindings(being_joined)) {
    if (stopped && f.subkind == "thread-leak") {
      unjoined_at_stop_.push_back(f.tids[0]);
      continue;
    }
    monitor_.AddMisuse(std::move(f));
  }
  for (RawFinding& f : signals_.TakeFindings()) monitor_.AddMisuse(std::move(f));
  return Finish();
}

}  // namespace analysis

namespace {

using namespace analysis;

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// A heap block's name carries its size, line and offset, which vary from run to run and
// edit to edit; its fingerprint key is the allocating function (else file) only.
constexpr const char* kHeapPrefix = "heap block of ";
// `kind`@the function (else file) after `at` in `name`, or `kind` alone.
std::string WhereKey(const std::string& name, const std::string& at, const std::string& kind) {
  size_t p = name.find(at);
  if (p == std::string::npos) return kind;
  std::string where = name.substr(p + at.size());
  size_t off = where.rfind(" (+");
  if (off != std::string::npos) where.resize(off);
  // Drop the trailing "file.cc:12" (or keep the file alone when no function was known).
  size_t sp = where.rfind(' ');
  std::string last = sp == std::string::npos ? where : where.substr(sp + 1);
  size_t colon = last.rfind(':');
  bool file_line = colon != std::string::npos && colon + 1 < last.size() &&
                   std::all_of(last.begin() + colon + 1, last.end(), ::isdigit);
  if (file_line) where = sp == std::string::npos ? last.substr(0, colon) : where.substr(0, sp);
  if (where.rfind("0x", 0) == 0) return kind;
  return kind + "@" + where;
}

std::string HeapKey(const std::string& name) { return WhereKey(name, " allocated at ", "heap"); }

// A mapping's name (MappingName) as a heap block's: where it was mapped, without its line
// and offset, nor the file's path (a temporary file's changes from run to run).
std::string MappingKey(const std::string& name) {
  return WhereKey(name, " mapped at ", "mapping");
}

// A variable on a thread's stack or in its thread-local storage, without the thread:
// threads are numbered in the order they first appear, which another run may change.
// "local variable buf of worker() on T2's stack" -> "local variable buf of worker()@stack".
std::string WithoutOwner(const std::string& name) {
  constexpr std::string_view kStack = "'s stack", kTls = "'s thread-local storage";
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(kStack)) {
    const size_t on = name.rfind(" on ");
    if (on != std::string::npos) return name.substr(0, on) + "@stack";
  } else if (ends(kTls)) {
    const size_t in = name.rfind(" in ");
    if (in != std::string::npos) return name.substr(0, in) + "@thread-local";
  }
  return name;
}

// Which element of an array a race reached first can change from run to run (which worker
// started first): "pool[1].state" and "pool[0].state" are one bug, "pool[].state".
std::string WithoutIndices(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    out += name[i];
    if (name[i] != '[') continue;
    size_t j = i + 1;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    if (j > i + 1 && j < name.size() && name[j] == ']') i = j - 1;
  }
  return out;
}

// Names that carry an address are not stable across runs; fingerprints skip them.
bool Unstable(const std::string& name) {
  // A pipe or socket is named by its inode ("pipe:[4085091]"), an eventfd by the kernel's
  // number: a new one at every run.
  return name.empty() || name.rfind("0x", 0) == 0 || name.find("@0x") != std::string::npos ||
         name.find("(0x") != std::string::npos || name.starts_with("pipe:[") ||
         name.starts_with("socket:[") || name.starts_with("eventfd:[");
}

// An object in a heap block (a variable, or a lock: "queue::mu in heap block allocated at
// main q.c:8 #2"): its field, the block's key and the number, without the line; any other
// name as it is.
std::string HeapObjectKey(const std::string& name) {
  const size_t in_block = name.find(" in heap block allocated at ");
  if (in_block == std::string::npos) {
    const size_t map = MappingNameAt(name);
    if (map == std::string::npos) return name;
    if (map == 0) return MappingKey(name);
    return name.substr(0, map - 4) + "@" + MappingKey(name.substr(map));  // before " in "
  }
  std::string rest = name, number;
  if (const size_t hash = rest.rfind(" #"); hash != std::string::npos && hash > in_block) {
    number = rest.substr(hash + 1);
    rest.resize(hash);
  }
  return rest.substr(0, in_block) + "@" + HeapKey(rest) + number;
}

// The user's function of a stack: the first frame outside the system headers and the
// standard library (a lock inlined through std::mutex::lock names worker(), not
// std::mutex::lock), else the first with a name; null when none has one.
const Frame* UserFunction(const Stack& stack) {
  const Frame* named = nullptr;
  for (const Frame& fr : stack) {
    if (fr.function.empty()) continue;
    if (!IsSystemFrame(fr)) return &fr;
    if (!named) named = &fr;
  }
  return named;
}

// A descriptor's number is whichever the kernel had free ("file descriptor 9" in one run,
// 11 in the next): its key is the function that opened it, as a heap block's.
std::string DescriptorKey(const Finding& f) {
  const Frame* opened = f.allocation ? UserFunction(f.allocation->stack) : nullptr;
  return opened ? "file descriptor@" + opened->function : "file descriptor";
}

}  // namespace

std::string FingerprintOf(const Finding& f) {
  std::vector<std::string> parts;
  for (const Access& a : f.accesses) {
    if (const Frame* named = UserFunction(a.stack)) {
      parts.push_back("fn:" + CanonicalFunction(named->function));
    }
  }
  for (const std::string& l : f.locks) {
    if (!Unstable(l)) parts.push_back("lock:" + HeapObjectKey(l));
  }
  for (const std::string& v : f.variables) {
    const size_t in_block = v.find(" in heap block allocated at ");
    // "rec::total at 0x5565...": memory no allocation names, the field without the address.
    const size_t at_address = v.find(" at 0x");
    const size_t in_shared = v.find(" in shared@0x");  // a field of unnamed shared memory
    std::string key;
    if (v.rfind(kHeapPrefix, 0) == 0) key = HeapKey(v);
    else if (v.starts_with("file descriptor ")) key = DescriptorKey(f);
    else if (in_block != std::string::npos) key = HeapObjectKey(v);
    else if (MappingNameAt(v) != std::string::npos) key = HeapObjectKey(v);
    else if (at_address != std::string::npos) key = v.substr(0, at_address) + "@memory";
    else if (in_shared != std::string::npos) key = v.substr(0, in_shared) + "@shared";
    else if (key = WithoutOwner(v); Unstable(key)) continue;
    parts.push_back("var:" + WithoutIndices(key));
  }
  // What a hung thread waits on (a condition variable, semaphore or thread) is no lock.
  if (f.kind == "hang" && !f.accesses.empty() && f.subkind != "join" &&
      !Unstable(f.accesses[0].object)) {
    parts.push_back("obj:" + HeapObjectKey(f.accesses[0].object));
  }
  // Sorted: the same whichever thread came first or where the cycle starts.
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string key = f.kind + "|" + f.subkind;
  for (const std::string& p : parts) key += "|" + p;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, Fnv1a(key));
  return buf;
}

namespace {

// What tells apart findings that share a fingerprint: the variables in full (but for array
// indices and descriptor numbers: the same lines racing on two elements, or on two numbers the
// kernel handed out, are one bug) and each side's innermost line
// in the program, sorted as in FingerprintOf (whichever thread came first).
std::string LinesKey(const Finding& f) {
  std::vector<std::string> parts;
  for (const std::string& v : f.variables) {
    // (A descriptor's number is the kernel's choice, not a variable of its own.)
    parts.push_back("|var:" + (v.starts_with("file descriptor ")
                                   ? std::string("file descriptor")
                                   : WithoutIndices(WithoutOwner(v))));
  }
  for (const Access& a : f.accesses) {
    for (const Frame& fr : a.stack) {
      if (fr.line == 0 || IsSystemFrame(fr)) continue;
      parts.push_back("|at:" + CanonicalFunction(fr.function) + ":" + std::to_string(fr.line));
      break;
    }
  }
  std::sort(parts.begin(), parts.end());
  std::string key = f.fingerprint;
  for (const std::string& p : parts) key += p;
  return key;
}

}  // namespace

void DisambiguateFingerprints(std::vector<Finding>& findings) {
  std::unordered_map<std::string, int> seen;
  for (const Finding& f : findings) ++seen[f.fingerprint];
  std::vector<std::string> keys(findings.size());
  // Per shared fingerprint, its findings' distinct keys: one alone means the same lines at
  // other pcs (a duplicated load) or on other elements of an array, which keep the
  // fingerprint a run with one of them gives.
  std::unordered_map<std::string, std::set<std::string>> distinct;
  for (size_t i = 0; i < findings.size(); ++i) {
    if (seen[findings[i].fingerprint] < 2) continue;
    keys[i] = LinesKey(findings[i]);
    distinct[findings[i].fingerprint].insert(keys[i]);
  }
  for (size_t i = 0; i < findings.size(); ++i) {
    if (keys[i].empty() || distinct[findings[i].fingerprint].size() < 2) continue;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, Fnv1a(keys[i]));
    findings[i].fingerprint = buf;
  }
}

Report Analyze(EventSource& source, const AnalyzeOptions& options) {
  Report r = analysis::Analysis(source, options).Run();
  if (options.tsan_settings) ApplyTsanSettings(source.Meta(), r);
  SanitizeUtf8(r);
  return r;
}

Report AnalyzeFile(const std::string& path, const AnalyzeOptions& options) {
  std::unique_ptr<EventSource> source = OpenTrace(path);
  // A binary recording of one process changes nothing but its position while it is read,
  // so a thread of its own may read it (an Error it meets ends the analysis as ever). By
  // default only when races are checked: then the analysis thread is the busy one; beside
  // the other detectors alone, the reading thread is the slower. And only with a CPU of its
  // own beside the analysis thread and the race workers.
  const bool fits = source->Meta().format == "binary" && source->Processes().empty();
  const bool ahead =
      options.read_ahead >= 0
          ? options.read_ahead > 0
          : options.races && !source->Meta().uninstrumented &&
                ReadAhead::Worthwhile(1 + analysis::Analysis::RaceWorkers(options, *source));
  if (fits && ahead) source = std::make_unique<ReadAhead>(std::move(source));
  return Analyze(*source, options);
}

}  // namespace threadlens
