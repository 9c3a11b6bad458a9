// Escaping and formatting helpers shared by the renderers.
#include "render_util.h"

#include <cstdio>
#include <filesystem>

namespace threadlens::reports {

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 forbids most control characters even as references; show them as '?'.
        if (c < 0x20 && c != '\n' && c != '\t')
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string DotEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (c < 0x20)
          out += ' ';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string NormalizePath(const std::string& path) {
  if (path.find("/.") == std::string::npos && path.rfind("./", 0) != 0) return path;
  std::string out = std::filesystem::path(path).lexically_normal().string();
  // "./nptl/x.c" is how glibc's debug info names its sources; keep the prefix that says so.
  if (path.rfind("./", 0) == 0 && out.rfind("../", 0) != 0) out = "./" + out;
  return out;
}

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The qualified name of a demangled function, without its return type and parameters:
// "void std::thread::_Invoker<std::tuple<void (*)()> >::_M_invoke<0ul>(...)" ->
// "std::thread::_Invoker<std::tuple<void (*)()> >::_M_invoke<0ul>".
std::string_view QualifiedName(std::string_view fn) {
  int depth = 0;
  size_t name_start = 0;
  for (size_t i = 0; i < fn.size(); ++i) {
    char c = fn[i];
    if (c == '<')
      ++depth;
    else if (c == '>' && depth > 0)
      --depth;
    else if (depth == 0 && c == ' ')
      name_start = i + 1;
    else if (depth == 0 && c == '(' && i > name_start)
      return fn.substr(name_start, i - name_start);
  }
  return fn.substr(name_start);
}

FrameOrigin OriginOfFile(const std::string& raw) {
  const std::string file = NormalizePath(raw);
  // Libraries and headers of the system and of toolchains installed elsewhere
  // (/opt/gcc-13/include/c++/13/...). Not all of /usr: /usr/src/app is a common home for
  // a program's own sources.
  if (file.find("/include/c++/") != std::string::npos || file.find("/c++/v1/") != std::string::npos)
    return FrameOrigin::kCxxLibrary;
  if (StartsWith(file, "./csu/") || StartsWith(file, "./nptl/") ||
      file.find("/sysdeps/") != std::string::npos)
    return FrameOrigin::kCLibrary;
  for (const char* dir : {"/usr/include/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/",
                          "/usr/local/include/", "/lib/", "/lib64/"}) {
    if (StartsWith(file, dir)) {
      // libstdc++'s target headers: /usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h
      return file.find("/c++/") != std::string::npos ? FrameOrigin::kCxxLibrary
                                                     : FrameOrigin::kSystemLibrary;
    }
  }
  return FrameOrigin::kProgram;
}

FrameOrigin OriginOfFunction(const std::string& function) {
  std::string_view name = QualifiedName(function);
  for (std::string_view p : {"std::", "__gnu_cxx::", "__cxxabiv1::", "__gthread_", "__cxa_"}) {
    if (StartsWith(name, p)) return FrameOrigin::kCxxLibrary;
  }
  for (std::string_view p : {"start_thread", "clone", "clone3", "__libc_start_main",
                             "__libc_start_call_main", "_start"}) {
    if (name == p) return FrameOrigin::kCLibrary;
  }
  return FrameOrigin::kProgram;
}

FrameOrigin OriginOfModule(const std::string& module) {
  const std::string path = NormalizePath(module);
  bool system = false;
  for (const char* dir : {"/usr/lib/", "/usr/lib64/", "/lib/", "/lib64/"}) {
    system = system || StartsWith(path, dir);
  }
  if (!system) return FrameOrigin::kProgram;
  std::string base = path.substr(path.find_last_of('/') + 1);
  if (StartsWith(base, "libstdc++") || StartsWith(base, "libc++")) return FrameOrigin::kCxxLibrary;
  if (StartsWith(base, "libc.") || StartsWith(base, "libc-") || StartsWith(base, "libpthread") ||
      StartsWith(base, "ld-linux"))
    return FrameOrigin::kCLibrary;
  return FrameOrigin::kSystemLibrary;
}

}  // namespace

// The tracer's own frames: where it starts a thread or calls a signal handler.
bool IsRuntimeFrame(const Frame& f) {
  if (StartsWith(QualifiedName(f.function), "threadlens::rt::")) return true;
  std::string base = f.module.substr(f.module.find_last_of('/') + 1);
  return StartsWith(base, "libthreadlens");
}

FrameOrigin OriginOf(const Frame& f) {
  if (IsRuntimeFrame(f)) return FrameOrigin::kRuntime;
  if (!f.file.empty()) return OriginOfFile(f.file);
  // Without a file, a name the function lists do not know says nothing: the module does (the
  // C library's frames are named from its symbol table alone).
  if (!f.function.empty()) {
    const FrameOrigin o = OriginOfFunction(f.function);
    if (o != FrameOrigin::kProgram) return o;
  }
  if (!f.module.empty()) return OriginOfModule(f.module);
  return FrameOrigin::kProgram;
}

const char* OriginName(FrameOrigin origin) {
  switch (origin) {
    case FrameOrigin::kCxxLibrary:
      return "the C++ standard library";
    case FrameOrigin::kCLibrary:
      return "the C library";
    case FrameOrigin::kSystemLibrary:
      return "system libraries";
    case FrameOrigin::kRuntime:
      return "the threadlens runtime";
    case FrameOrigin::kProgram:
      break;
  }
  return "";
}

bool IsSystemFrame(const Frame& f) {
  return f.file.empty() || OriginOf(f) != FrameOrigin::kProgram;
}

const Frame& TopFrame(const Access& a) {
  static const Frame kEmpty;
  for (const Frame& f : a.stack) {
    if (!IsSystemFrame(f)) return f;
  }
  return a.stack.empty() ? kEmpty : a.stack.front();
}

std::string ShortSite(const Access& a) {
  const Frame& f = TopFrame(a);
  if (!f.file.empty()) {
    std::string base = f.file.substr(f.file.find_last_of('/') + 1);
    return f.line > 0 ? base + ":" + std::to_string(f.line) : base;
  }
  if (!f.function.empty()) return f.function;
  return "";
}

std::string LongSite(const Access& a) { return TopFrame(a).Describe(); }

std::string FormatDuration(uint64_t ticks, uint64_t ticks_per_second) {
  if (ticks_per_second == 0) ticks_per_second = 1'000'000'000;
  double ns = static_cast<double>(ticks) * 1e9 / static_cast<double>(ticks_per_second);
  char buf[64];
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

}  // namespace threadlens::reports
