// Reads ThreadSanitizer's text reports into findings. A report is a block opened by
// "WARNING: ThreadSanitizer: <headline> (pid=N)"; inside it, sections start at two-space
// indent ("  Write of size 4 at 0x.. by thread T2:", "  Location is global 'x' ...",
// "  Mutex M1 acquired here while holding mutex M0 in thread T3:") and stack frames at four
// ("    #0 bump() /src/a.cc:6:22 (prog+0xd43cf)"). The parser is line-based and forgiving:
// TSan's wording has shifted between releases, so unknown lines are skipped.
#include "threadlens/analyzer/tsan_import.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "threadlens/analyzer/analyze.h"

namespace threadlens {

// Weak: the analyzer's fingerprint when linked in, else the local one below.
std::string FingerprintOf(const Finding& finding) __attribute__((weak));

namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    start = nl + 1;
  }
  return lines;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

uint64_t ParseHex(std::string_view s) {
  std::string t(s);
  return std::strtoull(t.c_str(), nullptr, 16);
}

// TSan's thread names: "main thread" -> "main", "thread T2" -> "T2"; a named thread shows
// as "thread T2 'worker'" -> "worker".
std::string ThreadName(std::string_view s) {
  std::string t = Trim(s);
  if (t == "main thread" || t == "the main thread") return "main";
  if (StartsWith(t, "thread ")) t = t.substr(7);
  size_t q = t.find('\'');
  if (q != std::string::npos) {
    size_t q2 = t.find('\'', q + 1);
    if (q2 != std::string::npos) return t.substr(q + 1, q2 - q - 1);
  }
  size_t sp = t.find(' ');
  return sp == std::string::npos ? t : t.substr(0, sp);
}

uint32_t ThreadTid(const std::string& name) {
  if (name == "main") return 0;
  if (name.size() > 1 && name[0] == 'T') return static_cast<uint32_t>(std::atoi(name.c_str() + 1));
  return 0;
}

// "    #3 std::mutex::lock() /usr/include/c++/12/bits/std_mutex.h:100:17 (prog+0xd44fe)"
// "    #7 <null> <null> (libstdc++.so.6+0xd44a2) (BuildId: ...)"
std::optional<Frame> ParseFrame(std::string_view line) {
  std::string l = Trim(line);
  if (l.size() < 2 || l[0] != '#' || !std::isdigit(static_cast<unsigned char>(l[1]))) {
    return std::nullopt;
  }
  size_t sp = l.find(' ');
  if (sp == std::string::npos) return Frame{};
  std::string rest = l.substr(sp + 1);
  size_t bid = rest.find(" (BuildId:");
  if (bid != std::string::npos) rest.erase(bid);
  Frame f;
  // Trailing "(module+0xoff)".
  if (!rest.empty() && rest.back() == ')') {
    size_t open = rest.rfind(" (");
    if (open != std::string::npos) {
      std::string mod = rest.substr(open + 2, rest.size() - open - 3);
      rest.erase(open);
      size_t plus = mod.rfind("+0x");
      if (plus != std::string::npos) {
        f.pc = ParseHex(std::string_view(mod).substr(plus + 3));
        mod.erase(plus);
      }
      f.module = mod;
    }
  }
  // Location: the last token when it looks like file:line[:col] or "<null>".
  size_t last = rest.rfind(' ');
  std::string loc = last == std::string::npos ? "" : rest.substr(last + 1);
  std::string func = last == std::string::npos ? rest : rest.substr(0, last);
  static const std::regex kLoc(R"(^(.*?):(\d+)(?::\d+)?$)");
  std::smatch m;
  if (loc == "<null>") {
    // no source location
  } else if (std::regex_match(loc, m, kLoc)) {
    f.file = m[1];
    f.line = std::atoi(m[2].str().c_str());
  } else {
    func = rest;  // the whole remainder was the function (a location-less frame)
  }
  if (func != "<null>") f.function = Trim(func);
  return f;
}

// The stack following a section header, innermost frame first.
Stack ReadStack(const std::vector<std::string_view>& lines, size_t& i) {
  Stack s;
  while (i < lines.size()) {
    auto f = ParseFrame(lines[i]);
    if (!f) break;
    s.push_back(*f);
    ++i;
  }
  return s;
}

// Frames of TSan's own interceptors and of the C++ library's lock wrappers say nothing
// about the program: the first frame users want to see is theirs.
bool IsPlumbing(const Frame& f) {
  static const char* kPrefixes[] = {"pthread_",
                                    "__gthread_",
                                    "std::mutex::",
                                    "std::lock_guard",
                                    "std::unique_lock",
                                    "std::scoped_lock",
                                    "std::shared_mutex::",
                                    "std::recursive_mutex::",
                                    "std::shared_lock",
                                    "__interceptor_",
                                    "__tsan_",
                                    "operator new",
                                    "operator delete",
                                    "malloc",
                                    "calloc",
                                    "realloc",
                                    "free"};
  for (const char* p : kPrefixes) {
    if (StartsWith(f.function, p)) return true;
  }
  return false;
}

// The frames from the first program frame on (the whole stack if every frame is plumbing).
Stack UserStack(const Stack& s) {
  size_t i = 0;
  while (i < s.size() && IsPlumbing(s[i])) ++i;
  return i < s.size() ? Stack(s.begin() + static_cast<std::ptrdiff_t>(i), s.end()) : s;
}

std::string ShortFile(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Where(const Stack& s) {
  Stack u = UserStack(s);
  if (u.empty()) return "";
  const Frame& f = u[0];
  std::string out = f.function.empty() ? "?" : f.function;
  if (!f.file.empty()) out += " at " + ShortFile(f.file) + ":" + std::to_string(f.line);
  return out;
}

// "M1" or "M1 (0x..)" style lock ids; TSan also writes "mutex M1".
std::vector<std::string> HeldLocks(std::string_view header) {
  std::vector<std::string> held;
  size_t p = header.find("(mutexes:");
  if (p == std::string_view::npos) return held;
  size_t e = header.find(')', p);
  std::string list(
      header.substr(p + 9, e == std::string_view::npos ? std::string_view::npos : e - p - 9));
  static const std::regex kLock(R"((?:write|read)?\s*(M\d+))");
  for (std::sregex_iterator it(list.begin(), list.end(), kLock), end; it != end; ++it) {
    held.push_back((*it)[1]);
  }
  return held;
}

struct KindInfo {
  const char* kind;
  const char* subkind;
  Severity severity;
};

KindInfo Classify(const std::string& headline) {
  auto has = [&](const char* s) { return headline.find(s) != std::string::npos; };
  if (has("data race")) return {"race", "", Severity::kError};
  if (has("heap-use-after-free")) return {"race", "use-after-free", Severity::kError};
  if (has("lock-order-inversion")) return {"lock-order", "", Severity::kError};
  if (has("thread leak")) return {"misuse", "thread-leak", Severity::kWarning};
  if (has("unlock of an unlocked mutex")) return {"misuse", "unlock-not-held", Severity::kError};
  if (has("double lock")) return {"self-deadlock", "", Severity::kError};
  if (has("destroy of a locked mutex")) return {"misuse", "destroy-locked", Severity::kError};
  if (has("read lock of a write locked mutex") || has("read unlock of a write locked mutex")) {
    return {"misuse", "rwlock-mode", Severity::kError};
  }
  if (has("invalid mutex")) return {"misuse", "invalid-mutex", Severity::kError};
  if (has("signal-unsafe call")) return {"misuse", "signal-unsafe-call", Severity::kWarning};
  if (has("signal handler spoils errno")) return {"misuse", "signal-errno", Severity::kWarning};
  if (has("mutex held in wrong context")) return {"misuse", "wrong-context", Severity::kError};
  return {"tsan", "", Severity::kWarning};
}

std::string LocalFingerprint(const Finding& f) {
  // FNV-1a over kind, functions and names, sorted so the two sides' order does not matter.
  std::set<std::string> parts(f.variables.begin(), f.variables.end());
  parts.insert(f.locks.begin(), f.locks.end());
  for (const auto& a : f.accesses) {
    if (!a.stack.empty()) parts.insert(a.stack[0].function);
  }
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix(f.kind);
  mix(f.subkind);
  for (const auto& p : parts) mix(p);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (s.empty()) return;
  for (const auto& x : v) {
    if (x == s) return;
  }
  v.push_back(s);
}

// One report block: lines [begin, end) after the WARNING line.
Finding ParseBlock(const std::string& headline, const std::vector<std::string_view>& lines,
                   size_t begin, size_t end) {
  KindInfo k = Classify(headline);
  Finding f;
  f.kind = k.kind;
  f.subkind = k.subkind;
  f.severity = k.severity;
  f.detail = "ThreadSanitizer: " + headline;
  std::string location;                           // the variable's name, from "Location is ..."
  std::map<std::string, std::string> lock_names;  // "M0" -> "M0 (0x...)"
  std::vector<std::string> cycle;                 // lock ids in cycle order

  static const std::regex kAccess(
      R"(^\s+(Previous )?(atomic )?(read|write|Read|Write|Atomic read|Atomic write))"
      R"(( of size (\d+))? at (0x[0-9a-f]+) by (.+?)(?: \(mutexes:.*\))?:$)");
  static const std::regex kLocGlobal(
      R"(Location is global '(.+?)' of size (\d+) at (0x[0-9a-f]+))");
  static const std::regex kLocHeap(
      R"(Location is heap block of size (\d+) at (0x[0-9a-f]+) allocated by (.+):$)");
  static const std::regex kLocStack(R"(Location is stack of (.+)\.)");
  static const std::regex kLocTls(R"(Location is TLS of (.+)\.)");
  static const std::regex kCycle(R"(Cycle in lock order graph: (.*)$)");
  static const std::regex kCycleNode(R"((M\d+) \((0x[0-9a-f]+)\))");
  static const std::regex kEdge(
      R"(^\s+Mutex (M\d+) acquired here while holding mutex (M\d+) in (.+):$)");
  static const std::regex kPrevEdge(
      R"(^\s+Mutex (M\d+) previously acquired by the same thread here:$)");
  static const std::regex kMutexCreated(R"(^\s+Mutex (M\d+) \((0x[0-9a-f]+)\) created at:$)");
  static const std::regex kThread(
      R"(^\s+Thread (T\d+)(?: '(.+?)')? \(tid=(\d+), (\w+)\) created by (.+) at:$)");
  static const std::regex kMopTopLevel(R"(^\s+#0 )");

  size_t i = begin;
  bool first_stack_unowned = true;
  while (i < end) {
    std::string line(lines[i]);
    std::smatch m;
    if (std::regex_match(line, m, kAccess)) {
      ++i;
      Access a;
      std::string op = m[3].str();
      for (auto& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.atomic = m[2].matched || StartsWith(op, "atomic");
      a.op = op.find("write") != std::string::npos ? "write" : "read";
      if (m[5].matched) a.size = static_cast<uint32_t>(std::atoi(m[5].str().c_str()));
      a.address = ParseHex(m[6].str().substr(2));
      a.thread = ThreadName(m[7].str());
      a.tid = ThreadTid(a.thread);
      a.held = HeldLocks(line);
      a.stack = UserStack(ReadStack(lines, i));
      f.accesses.push_back(std::move(a));
      continue;
    }
    if (std::regex_search(line, m, kLocGlobal)) {
      location = m[1];
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kLocHeap)) {
      ++i;
      Stack s = ReadStack(lines, i);
      std::string where = Where(s);
      location = "heap block of " + m[1].str() + " bytes";
      if (!where.empty()) location += " allocated in " + where;
      continue;
    }
    if (std::regex_search(line, m, kLocStack)) {
      location = "stack of " + ThreadName(m[1].str());
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kLocTls)) {
      location = "thread-local of " + ThreadName(m[1].str());
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kCycle)) {
      std::string nodes = m[1];
      for (std::sregex_iterator it(nodes.begin(), nodes.end(), kCycleNode), e; it != e; ++it) {
        std::string id = (*it)[1];
        lock_names[id] = id + " (" + (*it)[2].str() + ")";
        cycle.push_back(id);
      }
      ++i;
      continue;
    }
    if (std::regex_match(line, m, kEdge)) {
      ++i;
      CycleEdge e;
      e.to = m[1];
      e.from = m[2];
      e.thread = ThreadName(m[3].str());
      e.tid = ThreadTid(e.thread);
      e.to_site.thread = e.thread;
      e.to_site.tid = e.tid;
      e.to_site.op = "acquire";
      e.to_site.object = e.to;
      e.to_site.held = {e.from};
      e.to_site.stack = UserStack(ReadStack(lines, i));
      f.cycle.push_back(std::move(e));
      continue;
    }
    if (std::regex_match(line, m, kPrevEdge)) {
      ++i;
      Stack s = UserStack(ReadStack(lines, i));
      if (!f.cycle.empty() && f.cycle.back().from == m[1].str()) {
        Access& a = f.cycle.back().from_site;
        a.thread = f.cycle.back().thread;
        a.tid = f.cycle.back().tid;
        a.op = "acquire";
        a.object = f.cycle.back().from;
        a.stack = std::move(s);
      }
      continue;
    }
    if (std::regex_match(line, m, kMutexCreated)) {
      std::string id = m[1];
      if (!lock_names.count(id)) lock_names[id] = id + " (" + m[2].str() + ")";
      ++i;
      ReadStack(lines, i);
      continue;
    }
    if (std::regex_match(line, m, kThread)) {
      ++i;
      Stack s = UserStack(ReadStack(lines, i));
      std::string name = m[2].matched ? m[2].str() : m[1].str();
      AddUnique(f.threads, name);
      // A thread leak's one side is the leaked thread's creation.
      if (f.kind == "misuse" && f.subkind == "thread-leak") {
        Access a;
        a.thread = ThreadName(m[5].str());
        a.tid = ThreadTid(a.thread);
        a.op = "create";
        a.object = name;
        a.stack = std::move(s);
        f.accesses.push_back(std::move(a));
      }
      continue;
    }
    // A stack right after the headline (unlock of an unlocked mutex, double lock...) is
    // where it happened.
    if (first_stack_unowned && std::regex_search(line, kMopTopLevel) && f.accesses.empty()) {
      Access a;
      a.op =
          f.kind == "self-deadlock" ? "acquire" : (f.subkind == "unlock-not-held" ? "release" : "");
      Stack s = ReadStack(lines, i);
      a.stack = UserStack(s);
      f.accesses.push_back(std::move(a));
      first_stack_unowned = false;
      continue;
    }
    ++i;
  }

  // Names: variables from the location, locks with their addresses, threads from sides.
  for (auto& a : f.accesses) {
    if (f.kind == "race") a.object = location;
    AddUnique(f.threads, a.thread);
    for (auto& h : a.held) {
      if (lock_names.count(h)) h = lock_names[h];
    }
  }
  for (auto& e : f.cycle) {
    AddUnique(f.threads, e.thread);
    if (lock_names.count(e.from)) e.from = lock_names[e.from];
    if (lock_names.count(e.to)) e.to = lock_names[e.to];
    e.to_site.object = e.to;
    e.from_site.object = e.from;
    for (auto& h : e.to_site.held) {
      if (lock_names.count(h)) h = lock_names[h];
    }
  }
  // Keep the cycle in the order TSan printed it (M0 => M1 => M0).
  if (!cycle.empty()) {
    for (const auto& id : cycle) AddUnique(f.locks, lock_names.count(id) ? lock_names[id] : id);
  } else {
    for (const auto& [id, name] : lock_names) AddUnique(f.locks, name);
  }
  if (f.kind == "misuse" && f.subkind != "thread-leak") {
    for (auto& a : f.accesses) {
      if (a.object.empty() && !f.locks.empty()) a.object = f.locks[0];
    }
  }
  f.threads.erase(std::remove(f.threads.begin(), f.threads.end(), std::string()), f.threads.end());
  if (!location.empty() && f.kind == "race") f.variables.push_back(location);

  // Title: what, on what, where.
  std::string where = f.accesses.empty() ? "" : Where(f.accesses[0].stack);
  if (f.kind == "race") {
    std::string what = f.subkind == "use-after-free" ? "heap use after free" : "data race";
    f.title = what + (location.empty() ? "" : " on " + location);
    if (f.accesses.size() >= 2) {
      f.title += " (" + f.accesses[0].thread + " " + f.accesses[0].op + ", " +
                 f.accesses[1].thread + " " + f.accesses[1].op + ")";
    }
  } else if (f.kind == "lock-order") {
    std::string path;
    for (const auto& id : cycle) path += (path.empty() ? "" : " -> ") + id;
    f.title = "lock-order inversion (potential deadlock)" + (path.empty() ? "" : ": " + path);
  } else {
    f.title = headline;
    if (!where.empty()) f.title += " in " + where;
  }
  f.fingerprint = FingerprintOf ? FingerprintOf(f) : LocalFingerprint(f);
  return f;
}

}  // namespace

Report ImportTsanReports(std::string_view text, const std::string& program) {
  Report r;
  r.program = program;
  r.trace = "";
  auto lines = SplitLines(text);
  static const std::regex kWarning(R"(WARNING: ThreadSanitizer: (.*?)(?: \(pid=\d+\))?\s*$)");
  static const std::regex kTotal(R"(ThreadSanitizer: reported (\d+) warnings?)");
  long tsan_total = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line(lines[i]);
    std::smatch m;
    if (std::regex_search(line, m, kTotal)) {
      tsan_total = std::atol(m[1].str().c_str());
      continue;
    }
    if (!std::regex_search(line, m, kWarning)) continue;
    std::string headline = m[1];
    size_t end = i + 1;
    while (end < lines.size() && !StartsWith(lines[end], "SUMMARY: ThreadSanitizer") &&
           !StartsWith(lines[end], "==================") &&
           lines[end].find("WARNING: ThreadSanitizer:") == std::string_view::npos) {
      ++end;
    }
    r.findings.push_back(ParseBlock(headline, lines, i + 1, end));
    i = end - 1;
  }
  // Threads named in any finding, for renderers that list them.
  std::set<std::string> seen;
  for (const auto& f : r.findings) {
    for (const auto& t : f.threads) {
      if (!seen.insert(t).second) continue;
      ThreadInfo ti;
      ti.name = t;
      ti.tid = ThreadTid(t);
      r.threads.push_back(ti);
    }
  }
  // Locks named in any finding, with the address TSan printed ("M0 (0x...)").
  std::set<std::string> lock_seen;
  for (const auto& f : r.findings) {
    for (const auto& l : f.locks) {
      if (!lock_seen.insert(l).second) continue;
      LockInfo li;
      li.name = l;
      size_t open = l.find("(0x");
      if (open != std::string::npos) li.address = ParseHex(std::string_view(l).substr(open + 3));
      li.type = "unknown";
      r.locks.push_back(li);
    }
  }
  if (tsan_total >= 0 && static_cast<size_t>(tsan_total) != r.findings.size()) {
    r.warnings.push_back("ThreadSanitizer counted " + std::to_string(tsan_total) + " reports, " +
                         std::to_string(r.findings.size()) + " were read");
  }
  SanitizeUtf8(r);
  return r;
}

std::string TsanOptions(const std::string& log_path, const std::string& user_options) {
  std::string o =
      "halt_on_error=0 exitcode=66 report_thread_leaks=1 second_deadlock_stack=1 "
      "detect_deadlocks=1 history_size=4 report_signal_unsafe=1";
  if (!log_path.empty()) o += " log_path=" + log_path;
  // The user's own settings come last, so they win.
  if (!user_options.empty()) o += " " + user_options;
  return o;
}

}  // namespace threadlens
