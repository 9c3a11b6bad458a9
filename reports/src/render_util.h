// Helpers shared by the renderers: escaping for each output language, and short names for
// source sites and durations. Private to the reports library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "threadlens/analyzer/findings.h"

namespace threadlens::reports {

// Text for HTML/XML/SVG element content and attribute values (quotes included).
std::string XmlEscape(std::string_view s);
// The body of a double-quoted DOT string. Backslashes go too (Graphviz reads \N, \G, \l as
// escapes) and '&' becomes an entity, because Graphviz decodes entities in every label.
std::string DotEscape(std::string_view s);

// The frame that stands for a site: the innermost frame in the program's own code (not a
// system or standard-library header), else the innermost frame, else an empty frame.
const Frame& TopFrame(const Access& a);
// True for frames in system headers and libraries (/usr/include, /usr/lib, libstdc++
// internals), and for frames with no file: they cannot stand for a site.
bool IsSystemFrame(const Frame& f);

// Where a frame's code comes from. A library frame is known by its file (system header
// and library folders, glibc's source paths), else by its function (std::, __gnu_cxx::,
// __gthread_*), else by its module (a shared library in a system folder). A frame with
// nothing of that is the program's: a bare function name from an STD trace is the user's.
// The tracer's own frames (it starts threads and calls signal handlers) are the runtime's.
enum class FrameOrigin { kProgram, kCxxLibrary, kCLibrary, kSystemLibrary, kRuntime };
FrameOrigin OriginOf(const Frame& f);
// "the C++ standard library", "the C library", "system libraries", "the threadlens runtime";
// "" for kProgram.
const char* OriginName(FrameOrigin origin);

// `path` with "." and ".." resolved lexically, without asking the file system:
// "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/std_mutex.h"
// becomes "/usr/include/c++/12/bits/std_mutex.h". Relative paths stay relative.
std::string NormalizePath(const std::string& path);

// "queue.cc:42" (basename), or the function, or "".
std::string ShortSite(const Access& a);
// "worker(int) at src/queue.cc:42", or "?" when nothing is known.
std::string LongSite(const Access& a);

// "1.25 ms" from trace ticks.
std::string FormatDuration(uint64_t ticks, uint64_t ticks_per_second);

}  // namespace threadlens::reports
