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
// True for frames in system headers and libraries (/usr/..., libstdc++ internals).
bool IsSystemFrame(const Frame& f);
// "queue.cc:42" (basename), or the function, or "".
std::string ShortSite(const Access& a);
// "worker(int) at src/queue.cc:42", or "?" when nothing is known.
std::string LongSite(const Access& a);

// "1.25 ms" from trace ticks.
std::string FormatDuration(uint64_t ticks, uint64_t ticks_per_second);

}  // namespace threadlens::reports
