// Line-level parsing of ThreadSanitizer's text reports, for the importer (tsan_import.cc):
// lines, thread names, stack frames ("    #0 bump() /src/a.cc:6:22 (prog+0xd43cf)"), the
// frames that are TSan's or the C++ library's plumbing, and held-lock lists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "threadlens/analyzer/findings.h"

namespace threadlens::tsanreport {

std::vector<std::string_view> SplitLines(std::string_view text);
// The first line where TSan says it stopped the program itself (it could not map its shadow,
// a CHECK of its own failed, a fatal signal), trimmed and cut to 300 bytes; "" when none.
std::string StoppedLine(const std::vector<std::string_view>& lines);
bool StartsWith(std::string_view s, std::string_view p);
std::string Trim(std::string_view s);
uint64_t ParseHex(std::string_view s);
// TSan's thread names: "main thread" -> "main", "thread T2" -> "T2", "thread T2 'worker'"
// -> "worker".
std::string ThreadName(std::string_view s);
uint32_t ThreadTid(const std::string& name);
std::optional<Frame> ParseFrame(std::string_view line);
// The stack following a section header, innermost frame first; advances `i` past it.
Stack ReadStack(const std::vector<std::string_view>& lines, size_t& i);
// TSan's own interceptors and the C++ library's lock wrappers.
bool IsPlumbing(const Frame& f);
// The C library's and the C++ runtime's deallocation functions, as TSan's frames name them.
bool IsFreeFunction(const std::string& fn);
// The frames from the first program frame on (the whole stack if every frame is plumbing);
// a leading libc interceptor of TSan's, which has no line information, is left out too.
Stack UserStack(const Stack& s);
std::string ShortFile(const std::string& path);
std::string Where(const Stack& s);
// What a report's headline ("WARNING: ThreadSanitizer: data race ...") says it is, as a
// finding's kind, subkind and severity.
struct KindInfo {
  const char* kind;
  const char* subkind;
  Severity severity;
};
KindInfo Classify(const std::string& headline);
// "M1" or "M1 (0x..)" style lock ids of a section header.
std::vector<std::string> HeldLocks(std::string_view header);
// "Location is file descriptor 11 created by main thread at:" and the stack after it, at
// lines[i]: false for any other line. Else `name` is "file descriptor 11", `i` moves past the
// stack, and `opened` (when TSan says where the descriptor was created, not destroyed) is its
// opening as the analysis of a trace gives it: op "allocate", the creating call's caller on.
bool ReadDescriptorLocation(const std::vector<std::string_view>& lines, size_t& i,
                            std::string& name, std::optional<Access>& opened);
// Every access to a descriptor TSan reports is made inside one of its interceptors (epoll_ctl,
// accept, close): frame #0, left out here even where the caller has no line information.
void DropInterceptorFrame(Stack& raw);

}  // namespace threadlens::tsanreport
