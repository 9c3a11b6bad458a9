// `threadlens dump TRACE`: every event as one line of text, in merged order, with thread,
// lock and variable names resolved and program counters shown as module+offset.
#include <cstring>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "commands.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens::cli {
namespace {

using trace::EventKind;

class Dumper {
 public:
  explicit Dumper(EventSource& src) : src_(src) {}

  void Line(const StreamEvent& se) {
    const trace::Event& e = se.ev;
    auto kind = se.kind();
    Names(se);
    std::string out;
    char buf[256];
    if (e.seq && trace::IsSyncKind(kind)) {
      std::snprintf(buf, sizeof buf, "%8" PRIu64, e.seq);
    } else {
      std::snprintf(buf, sizeof buf, "%8s", "-");
    }
    out += buf;
    double t = static_cast<double>(e.ts - src_.Meta().start_ticks) /
               static_cast<double>(src_.Meta().ticks_per_second);
    if (e.ts < src_.Meta().start_ticks) t = 0;
    const std::string kind_name = KindName(e.kind);
    std::snprintf(buf, sizeof buf, " %12.6f  %-6s %-16s", t, Thread(se.tid).c_str(),
                  kind_name.c_str());
    out += buf;
    if (kind_name.size() >= 16) out += ' ';  // a name as wide as the column, or wider
    out += Operands(se);
    if (e.site && se.kind() != EventKind::kMapShared) out += "  @" + Site(e.site);
    std::puts(out.c_str());
  }

 private:
  static std::string KindName(uint8_t k) {
    std::string n = trace::EventKindName(static_cast<EventKind>(k));
    if (n == "unknown") n += "(" + std::to_string(k) + ")";
    return n;
  }

  // T2, or 4242/T2 in a recording of several processes (tids carry the process's index).
  std::string Thread(uint32_t tid) const {
    if (tid == 0) return "runtime";
    auto it = thread_names_.find(tid);
    const auto& procs = src_.Processes();
    const uint32_t p = tid >> 24;
    std::string s = procs.empty() || p >= procs.size()
                        ? "T" + std::to_string(tid)
                        : std::to_string(procs[p].pid) + "/T" + std::to_string(tid & 0xffffff);
    return it == thread_names_.end() ? s : s + "(" + it->second + ")";
  }

  static std::string Hex(uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
  }

  std::string Lock(uint64_t a) const {
    auto it = lock_names_.find(a);
    return it == lock_names_.end() ? Hex(a) : Hex(a) + "(" + it->second + ")";
  }

  std::string Var(uint64_t a) const {
    auto it = var_names_.find(a);
    return it == var_names_.end() ? Hex(a) : Hex(a) + "(" + it->second + ")";
  }

  std::string Site(uint64_t site) const {
    if (site & trace::kSiteIsString) {
      return EscapeControls(src_.String(static_cast<uint32_t>(site)));
    }
    for (const auto& m : src_.Modules()) {
      if (site >= m.base && site - m.base < m.size) {
        std::string name = m.path.substr(m.path.rfind('/') + 1);
        return name + "+" + Hex(site - m.base);
      }
    }
    return Hex(site);
  }

  static std::string Flags(uint8_t f) {
    std::string s;
    if (f & trace::kShared) s += " shared";
    if (f & trace::kTry) s += " try";
    if (f & trace::kTimed) s += " timed";
    if (f & trace::kTimedOut) s += " timed-out";
    if (f & trace::kFailed) s += " failed";
    if (f & trace::kViaCondWait) s += " cond-wait";
    if (f & trace::kNoSync) s += " no-sync";
    return s;
  }

  static const char* LockTypeName(uint16_t t) {
    switch (static_cast<trace::LockType>(t)) {
      case trace::LockType::kNormal:
        return "normal";
      case trace::LockType::kRecursive:
        return "recursive";
      case trace::LockType::kErrorCheck:
        return "errorcheck";
      case trace::LockType::kRwLock:
        return "rwlock";
      case trace::LockType::kSpin:
        return "spin";
      case trace::LockType::kUnknown:
        return "unknown";
    }
    return "?";
  }

  static const char* Order(uint8_t o) {
    static const char* kNames[] = {"relaxed", "consume", "acquire",
                                   "release", "acq_rel", "seq_cst"};
    return o < 6 ? kNames[o] : "?";
  }

  static const char* BlockedName(uint8_t b) {
    switch (static_cast<trace::BlockedOn>(b)) {
      case trace::BlockedOn::kLock:
        return "lock";
      case trace::BlockedOn::kCond:
        return "cond";
      case trace::BlockedOn::kJoin:
        return "join";
      case trace::BlockedOn::kSem:
        return "sem";
      case trace::BlockedOn::kFutex:
        return "futex";
      case trace::BlockedOn::kCondDestroy:
        return "cond_destroy";
      case trace::BlockedOn::kProcess:
        return "process";
      case trace::BlockedOn::kFileLock:
        return "file_lock";
      case trace::BlockedOn::kPipe:
        return "pipe";
    }
    return "?";
  }

  static const char* ReasonName(uint8_t r) {
    switch (static_cast<trace::WatchdogReason>(r)) {
      case trace::WatchdogReason::kLockCycle:
        return "lock-cycle";
      case trace::WatchdogReason::kSelfDeadlock:
        return "self-deadlock";
      case trace::WatchdogReason::kAllBlocked:
        return "all-blocked";
      case trace::WatchdogReason::kTimeout:
        return "timeout";
      case trace::WatchdogReason::kPipeDeadlock:
        return "pipe-deadlock";
    }
    return "?";
  }

  // Names become known as their events pass; later lines show them.
  void Names(const StreamEvent& se) {
    const trace::Event& e = se.ev;
    switch (se.kind()) {
      case EventKind::kNameThread:
        thread_names_[static_cast<uint32_t>(e.obj)] = EscapeControls(src_.String(e.aux32));
        break;
      case EventKind::kNameLock:
        lock_names_[e.obj] = EscapeControls(src_.String(e.aux32));
        break;
      case EventKind::kNameVariable:
        var_names_[e.obj] = EscapeControls(src_.String(e.aux32));
        break;
      default:
        break;
    }
  }

  std::string Operands(const StreamEvent& se) const {
    const trace::Event& e = se.ev;
    std::string f = Flags(e.flags);
    switch (se.kind()) {
      case EventKind::kThreadCreate:
      case EventKind::kThreadJoinBegin:
      case EventKind::kThreadJoin:
      case EventKind::kThreadDetach:
        return Thread(static_cast<uint32_t>(e.obj)) + f;
      case EventKind::kThreadStart:
        return e.obj ? "parent " + Thread(static_cast<uint32_t>(e.obj)) : "";
      case EventKind::kThreadExit:
        return "";
      case EventKind::kLockCreate:
      case EventKind::kLockDestroy:
        return Lock(e.obj) + " " + LockTypeName(e.aux16);
      case EventKind::kLockAcquired:  // aux32: the poll's rounds counted on it
        return Lock(e.obj) + " depth=" + std::to_string(e.aux16) + f +
               (e.aux32 ? " rounds=+" + std::to_string(e.aux32) : "");
      case EventKind::kLockRelease:  // aux32: how long those rounds held the lock
        return Lock(e.obj) + " depth=" + std::to_string(e.aux16) + f +
               (e.aux32 ? " rounds_held=" + std::to_string(e.aux32) + "us" : "");
      case EventKind::kLockRequest:
      case EventKind::kLockTryFailed:
        return Lock(e.obj) + f;
      case EventKind::kFileLockAcquired:
      case EventKind::kFileLockRelease:
        return Lock(e.obj) + ((e.flags & trace::kShared) ? " shared" : "") +
               ((e.flags & trace::kTry) ? " try" : "");
      case EventKind::kCondWaitBegin:
      case EventKind::kCondWaitEnd:
      case EventKind::kCondSignal:
      case EventKind::kCondBroadcast:
      case EventKind::kSemWaitBegin:
      case EventKind::kSemWaitEnd:
      case EventKind::kSemPost:
      case EventKind::kHappensBefore:
      case EventKind::kHappensAfter:
        return Hex(e.obj) + f;
      case EventKind::kFutexWaitBegin:
      case EventKind::kFutexWaitEnd:
        return Var(e.obj) + f;
      case EventKind::kRead:
      case EventKind::kWrite:
        return Var(e.obj) + " size=" + std::to_string(e.aux16 ? e.aux16 : e.seq);
      case EventKind::kAtomicLoad:
      case EventKind::kAtomicStore:
      case EventKind::kAtomicRmw: {
        // aux32: a load's or RMW's repeats; a release store's, the spin-lock poll's rounds
        const bool store = se.kind() == EventKind::kAtomicStore;
        return Var(e.obj) + " size=" + std::to_string(e.aux16) + " " +
               Order(e.flags & trace::kMemoryOrderMask) +
               (e.flags & trace::kAtomicUnchecked ? " unchecked" : "") +
               (e.aux32 ? (store ? " rounds=+" : " repeats=+") + std::to_string(e.aux32) : "");
      }
      case EventKind::kFence:  // aux32: a poll's rounds, before a plain store that ends them
        return Order(e.flags) + (e.aux32 ? " rounds=+" + std::to_string(e.aux32) : "");
      case EventKind::kAlloc:
      case EventKind::kThreadStack:
      case EventKind::kThreadTls:
        return Hex(e.obj) + " size=" + std::to_string(e.seq);
      case EventKind::kFree:
        return Hex(e.obj);
      case EventKind::kCrash: {
        const char* abbrev = sigabbrev_np(static_cast<int>(e.aux32));
        return "signal " + std::to_string(e.aux32) + (abbrev ? std::string(" SIG") + abbrev : "");
      }
      case EventKind::kFuncEntry:  // where the frame lies, when the tracer knew it
        if (e.obj == 0) return "";
        return "sp=" + Hex(e.obj) + (e.aux32 ? " fp=sp+" + std::to_string(e.aux32) : "");
      case EventKind::kFuncExit:
        return "";
      case EventKind::kNameThread:
        return Thread(static_cast<uint32_t>(e.obj)) + " \"" + EscapeControls(src_.String(e.aux32)) +
               "\"";
      case EventKind::kNameLock:
      case EventKind::kNameVariable:
        return Hex(e.obj) + " \"" + EscapeControls(src_.String(e.aux32)) + "\"";
      case EventKind::kWatchdogFired:
        return std::string(ReasonName(e.flags)) + " delay=" + std::to_string(e.aux32) + "ms";
      case EventKind::kBlocked: {
        std::string what = BlockedName(e.flags);
        const auto on = static_cast<trace::BlockedOn>(e.flags);
        std::string obj = on == trace::BlockedOn::kJoin ? Thread(static_cast<uint32_t>(e.obj))
                          : on == trace::BlockedOn::kLock || on == trace::BlockedOn::kFileLock
                              ? Lock(e.obj)
                          : on == trace::BlockedOn::kProcess
                              ? (e.obj ? "pid " + std::to_string(trace::ExitKeyPid(e.obj)) : "any")
                              : Hex(e.obj);
        return Thread(e.aux32) + " on " + what + " " + obj + (e.aux16 & 1 ? " shared" : "");
      }
      case EventKind::kHolds:
        return Thread(e.aux32) + " holds " + Lock(e.obj) + " depth=" + std::to_string(e.aux16) +
               ((e.flags & trace::kShared) ? " shared" : "") +
               ((e.flags & trace::kProcessHold) ? " process" : "") +
               ((e.flags & trace::kRangeHold) ? " range" : "");
      case EventKind::kRunning:
        return Thread(e.aux32) + (e.flags & trace::kAsleep ? " asleep" : " running");
      case EventKind::kMapShared:
        return Hex(e.obj) + " size=" + std::to_string(e.seq) + " \"" +
               std::string(src_.String(e.aux32)) + "\" +" + Hex(e.site);
      case EventKind::kUnmapShared:
        return Hex(e.obj) + " size=" + std::to_string(e.seq);
      case EventKind::kMapName:
        return Hex(e.obj) + (e.flags & trace::kMapFile
                                 ? " file \"" + std::string(src_.String(e.aux32)) + "\""
                                 : std::string(" anonymous"));
      case EventKind::kSemInit:
        return Hex(e.obj) + " count=" + std::to_string(e.aux32);
      case EventKind::kIgnoresAtExit:
        return std::string(e.flags == trace::kIgnoreReads    ? "reads"
                           : e.flags == trace::kIgnoreWrites ? "writes"
                           : e.flags == trace::kIgnoreSync   ? "sync"
                                                             : "accesses") +
               " open=" + std::to_string(e.aux32);
      default:
        return "flags=" + Hex(e.flags) + " aux16=" + std::to_string(e.aux16) +
               " aux32=" + std::to_string(e.aux32) + " obj=" + Hex(e.obj);
    }
  }

  EventSource& src_;
  std::unordered_map<uint32_t, std::string> thread_names_;
  std::unordered_map<uint64_t, std::string> lock_names_;
  std::unordered_map<uint64_t, std::string> var_names_;
};

}  // namespace

Command AddDump(CLI::App& app) {
  auto* sub =
      app.add_subcommand("dump", "Print a trace's events as text, one per line, in merged order");
  auto path = std::make_shared<std::string>();
  auto limit = std::make_shared<uint64_t>(0);
  sub->add_option("trace", *path, "Trace file (binary or STD text)")->required();
  sub->add_option("--limit", *limit, "Stop after this many events (0 = all)");
  sub->footer(
      "Columns: sequence number (synchronization events; - for others), seconds since the "
      "start, thread, event kind, operands, call site.");
  return {sub, [path, limit]() -> int {
            auto src = OpenTrace(*path);
            const TraceMeta& m = src->Meta();
            std::printf("# trace %s: program %s, pid %u, %s%s\n", path->c_str(), m.program.c_str(),
                        m.pid, m.complete ? "complete" : "incomplete",
                        m.watchdog ? ", ended by the watchdog" : "");
            for (const ProcessInfo& p : src->Processes()) {
              std::printf("# process %u (parent %u): %s, %s\n", p.pid, p.ppid, p.path.c_str(),
                          p.complete ? "complete" : "incomplete");
            }
            for (const auto& [key, value] : m.settings) {  // a file's text: its first line
              const std::string whole = value.substr(0, value.find_last_not_of('\n') + 1);
              const std::string v = whole.substr(0, whole.find('\n'));
              std::printf("# tsan setting %s: %s%s\n", EscapeControls(key).c_str(),
                          EscapeControls(v).c_str(), v.size() < whole.size() ? " ..." : "");
            }
            Dumper d(*src);
            StreamEvent se;
            uint64_t n = 0;
            while ((*limit == 0 || n < *limit) && src->Next(se)) {
              d.Line(se);
              ++n;
            }
            for (const auto& w : src->Warnings())
              std::fprintf(stderr, "threadlens: warning: %s\n", EscapeControls(w).c_str());
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
