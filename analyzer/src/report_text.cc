// Every string of a Report, for the passes that must reach all of them: UTF-8 repair at the
// source (names, paths and TSan text come from the traced program's bytes) and escaping for
// terminals.
#include <functional>

#include "threadlens/analyzer/findings.h"

namespace threadlens {
namespace {

void Visit(Frame& f, const std::function<void(std::string&)>& fn) {
  fn(f.function);
  fn(f.file);
  fn(f.module);
}

void Visit(Access& a, const std::function<void(std::string&)>& fn) {
  fn(a.thread);
  fn(a.op);
  fn(a.object);
  for (Frame& f : a.stack) Visit(f, fn);
  for (std::string& h : a.held) fn(h);
}

}  // namespace

void ForEachText(Report& r, const std::function<void(std::string&)>& fn) {
  fn(r.trace);
  fn(r.program);
  for (std::string& w : r.warnings) fn(w);
  for (std::string& n : r.notes) fn(n);
  for (Finding& f : r.findings) {
    fn(f.title);
    fn(f.detail);
    for (std::string& s : f.threads) fn(s);
    for (std::string& s : f.locks) fn(s);
    for (std::string& s : f.variables) fn(s);
    for (Access& a : f.accesses) Visit(a, fn);
    if (f.allocation) Visit(*f.allocation, fn);
    fn(f.relation);
    for (WitnessStep& w : f.witness) {
      fn(w.thread);
      fn(w.op);
      fn(w.object);
      fn(w.site);
    }
    for (CycleEdge& e : f.cycle) {
      fn(e.from);
      fn(e.to);
      fn(e.thread);
      Visit(e.from_site, fn);
      Visit(e.to_site, fn);
    }
  }
  for (Span& s : r.spans) fn(s.object);
  for (ThreadInfo& t : r.threads) fn(t.name);
  for (LockInfo& l : r.locks) fn(l.name);
  for (LockOrderEdge& e : r.lock_order) {
    fn(e.from);
    fn(e.to);
    for (std::string& t : e.threads) fn(t);
    Visit(e.from_site, fn);
    Visit(e.to_site, fn);
  }
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    }
    if (ok && n >= 3) {
      // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0) &&
           !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD, one per bad byte
      ++i;
    }
  }
  return out;
}

void SanitizeUtf8(Report& r) {
  ForEachText(r, [](std::string& s) {
    for (unsigned char c : s) {
      if (c >= 0x80) {
        s = ValidUtf8(s);
        return;
      }
    }
  });
}

std::string EscapeControls(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace threadlens
