// The line-level parsers of ThreadSanitizer's text reports (see tsan_report_lines.h).
#include "tsan_report_lines.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <regex>

namespace threadlens::tsanreport {

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

std::string StoppedLine(const std::vector<std::string_view>& lines) {
  for (std::string_view line : lines) {
    if (line.find("FATAL: ThreadSanitizer") == std::string_view::npos &&
        line.find("ThreadSanitizer: CHECK failed") == std::string_view::npos &&
        line.find("ThreadSanitizer:DEADLYSIGNAL") == std::string_view::npos) {
      continue;
    }
    std::string out = Trim(line);
    if (out.size() > 300) out.resize(300);
    return out;
  }
  return "";
}

bool IsFreeFunction(const std::string& fn) {
  return fn == "free" || fn == "cfree" || fn == "realloc" || fn.rfind("operator delete", 0) == 0;
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
  // TSan's interceptors of libc (memcpy, strlen, read...) are linked into the program
  // without line information: a C name with no file, called from a frame with one.
  auto interceptor = [&](size_t i) {
    const Frame& f = s[i];
    return f.file.empty() && !f.function.empty() && i + 1 < s.size() && !s[i + 1].file.empty() &&
           std::all_of(f.function.begin(), f.function.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
           });
  };
  size_t i = 0;
  while (i < s.size() && (IsPlumbing(s[i]) || interceptor(i))) ++i;
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

bool ReadDescriptorLocation(const std::vector<std::string_view>& lines, size_t& i,
                            std::string& name, std::optional<Access>& opened) {
  static const std::regex kLocFd(
      R"(^\s+Location is file descriptor (\d+) (created|destroyed) by (.+) at:$)");
  std::smatch m;
  const std::string line(lines[i]);
  if (!std::regex_match(line, m, kLocFd)) return false;
  ++i;
  name = "file descriptor " + m[1].str();
  Stack s = ReadStack(lines, i);
  DropInterceptorFrame(s);
  if (m[2] == "created") {
    Access a;
    a.thread = ThreadName(m[3].str());
    a.tid = ThreadTid(a.thread);
    a.op = "allocate";
    a.object = name;
    a.stack = UserStack(s);
    opened = std::move(a);
  }
  return true;
}

void DropInterceptorFrame(Stack& raw) {
  if (raw.size() > 1 && raw[0].file.empty()) raw.erase(raw.begin());
}

}  // namespace threadlens::tsanreport
