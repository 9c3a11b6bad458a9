// One spelling of demangled function names (function_names.h).
#include "function_names.h"

#include <cctype>
#include <cstddef>
#include <string_view>

namespace threadlens::analysis {
namespace {

// The position just past the parenthesis that closes the one at `open`, or npos.
size_t PastClosing(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// LLVM's 'lambda'(args) / 'lambdaN'(args) and 'unnamed' / 'unnamedN' in GNU's spelling.
std::string GnuLocalTypes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    const bool lambda = s.compare(i, 7, "'lambda") == 0;
    const bool unnamed = !lambda && s.compare(i, 8, "'unnamed") == 0;
    if (!lambda && !unnamed) {
      out += s[i++];
      continue;
    }
    size_t j = i + (lambda ? 7 : 8);
    size_t digits = j;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits >= s.size() || s[digits] != '\'') {
      out += s[i++];
      continue;
    }
    // 'lambda' is the first (#1), 'lambda0' the second (#2)...
    const unsigned long number =
        digits == j ? 1 : std::stoul(std::string(s.substr(j, digits - j))) + 2;
    j = digits + 1;
    if (unnamed) {
      out += "{unnamed type#" + std::to_string(number) + "}";
      i = j;
      continue;
    }
    const size_t end = j < s.size() && s[j] == '(' ? PastClosing(s, j) : std::string_view::npos;
    if (end == std::string_view::npos) {
      out += s[i++];
      continue;
    }
    out += "{lambda";
    out += GnuLocalTypes(s.substr(j, end - j));  // a lambda's parameter may be a lambda's type
    out += "#" + std::to_string(number) + "}";
    i = end;
  }
  return out;
}

}  // namespace

std::string CanonicalFunction(const std::string& name) {
  std::string s = name.find('\'') == std::string::npos ? name : GnuLocalTypes(name);
  // A local entity: the enclosing function's signature, then "::". Its result type (before
  // the function's name, at the top level of templates and parentheses) goes.
  int angles = 0, parens = 0;
  size_t last_space = std::string::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') ++angles;
    if (c == '>' && angles > 0) --angles;
    if (c == '(') {
      if (angles == 0 && parens == 0) {
        const size_t end = PastClosing(s, i);
        if (end == std::string::npos) return s;
        if (s.compare(end, 2, "::") == 0 && last_space != std::string::npos && i > 0) {
          return s.substr(last_space + 1);
        }
        i = end - 1;
        continue;
      }
      ++parens;
    }
    if (c == ')' && parens > 0) --parens;
    if (c == ' ' && angles == 0 && parens == 0) last_space = i;
  }
  return s;
}

}  // namespace threadlens::analysis
