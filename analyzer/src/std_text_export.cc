// The exporter of any trace to RAPID's STD text (`threadlens export`): one line per event
// that STD can express, counted in StdWriteStats where it cannot.
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

#include "std_text_parse.h"
#include "threadlens/analyzer/std_text.h"

namespace threadlens {
namespace {

using stdtext::ParseU64;
using trace::EventKind;

// Thread, lock and variable names as STD operands: the trace's own name when it is a plain
// token, else a numbered default.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c == '|' || c == '(' || c == ')' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
  }
  return true;
}

}  // namespace

StdWriteStats WriteStdTrace(EventSource& source, std::ostream& out, bool plain) {
  StdWriteStats stats;
  std::unordered_map<uint32_t, std::string> thread_names;
  std::unordered_map<uint64_t, std::string> lock_names, var_names;
  std::unordered_map<uint64_t, uint64_t> cond_lock;  // cv -> mutex of its last wait
  std::unordered_map<uint32_t, uint64_t> waiting;    // thread -> cv, until the wait's release
  std::unordered_map<uint32_t, uint64_t> site_numbers;
  uint64_t next_site = 1'000'000;

  auto thread = [&](uint32_t tid) -> std::string {
    auto it = thread_names.find(tid);
    return it != thread_names.end() ? it->second : "T" + std::to_string(tid);
  };
  auto named = [](std::unordered_map<uint64_t, std::string>& names, uint64_t obj, char prefix) {
    auto it = names.find(obj);
    return it != names.end() ? it->second : std::string(1, prefix) + std::to_string(obj);
  };
  auto site = [&](uint64_t s) -> uint64_t {
    if (!(s & trace::kSiteIsString)) return s;
    uint32_t id = static_cast<uint32_t>(s);
    auto it = site_numbers.find(id);
    if (it != site_numbers.end()) return it->second;
    std::string_view str = source.String(id);
    uint64_t n = 0;
    size_t colon = str.rfind(':');
    if (colon == std::string_view::npos || !ParseU64(str.substr(colon + 1), n)) n = next_site++;
    site_numbers.emplace(id, n);
    return n;
  };
  auto line = [&](uint32_t tid, const char* op, const std::string& arg, uint64_t s) {
    out << thread(tid) << '|' << op;
    if (!arg.empty()) out << '(' << arg << ')';
    out << '|' << site(s) << '\n';
    ++stats.lines;
  };

  StreamEvent e;
  while (source.Next(e)) {
    const trace::Event& ev = e.ev;
    switch (e.kind()) {
      case EventKind::kNameThread: {
        std::string_view n = source.String(ev.aux32);
        if (IsToken(n)) thread_names[static_cast<uint32_t>(ev.obj)] = std::string(n);
        break;
      }
      case EventKind::kNameLock: {
        std::string_view n = source.String(ev.aux32);
        if (IsToken(n)) lock_names[ev.obj] = std::string(n);
        break;
      }
      case EventKind::kNameVariable: {
        std::string_view n = source.String(ev.aux32);
        if (IsToken(n)) var_names[ev.obj] = std::string(n);
        break;
      }
      case EventKind::kRead:
      case EventKind::kWrite:
        line(e.tid, e.kind() == EventKind::kRead ? "r" : "w", named(var_names, ev.obj, 'V'),
             ev.site);
        break;
      case EventKind::kLockRequest:
        if (!plain) line(e.tid, "req", named(lock_names, ev.obj, 'L'), ev.site);
        else ++stats.dropped;
        break;
      case EventKind::kLockAcquired:
        line(e.tid, "acq", named(lock_names, ev.obj, 'L'), ev.site);
        break;
      case EventKind::kLockRelease:
        line(e.tid, "rel", named(lock_names, ev.obj, 'L'), ev.site);
        if (auto w = waiting.find(e.tid); (ev.flags & trace::kViaCondWait) && w != waiting.end()) {
          cond_lock[w->second] = ev.obj;
          waiting.erase(w);
          if (!plain) line(e.tid, "wait", named(lock_names, ev.obj, 'L'), ev.site);
        }
        break;
      case EventKind::kCondWaitBegin:
        waiting[e.tid] = ev.obj;
        break;
      case EventKind::kCondSignal:
      case EventKind::kCondBroadcast: {
        if (plain) {
          ++stats.dropped;
          break;
        }
        auto it = cond_lock.find(ev.obj);
        uint64_t obj = it != cond_lock.end() ? it->second : ev.obj;
        line(e.tid, e.kind() == EventKind::kCondSignal ? "notify" : "notifyall",
             named(lock_names, obj, 'L'), ev.site);
        break;
      }
      case EventKind::kThreadCreate:
        line(e.tid, "fork", thread(static_cast<uint32_t>(ev.obj)), ev.site);
        break;
      case EventKind::kThreadJoin:
        if (!(ev.flags & trace::kFailed)) {
          line(e.tid, "join", thread(static_cast<uint32_t>(ev.obj)), ev.site);
        }
        break;
      case EventKind::kFuncEntry:
        line(e.tid, "begin", "", ev.site);
        break;
      case EventKind::kFuncExit:
        line(e.tid, "end", "", 0);
        break;
      case EventKind::kThreadStart:
      case EventKind::kThreadExit:
      case EventKind::kThreadJoinBegin:
      case EventKind::kLockCreate:
      case EventKind::kCondWaitEnd:
        break;  // implied by the surrounding lines
      default:
        ++stats.dropped;
        break;
    }
  }
  return stats;
}

}  // namespace threadlens
