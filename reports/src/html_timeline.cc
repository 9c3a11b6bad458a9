// Timelines of the HTML report. A report's lock spans go into the page once, as a JSON block;
// every timeline (the whole trace's and each finding's) is a small element that names its
// lanes, time window and marks, drawn by the page's script. Drawing each finding's timeline
// as its own SVG repeated the same spans once per finding: tens of MB for tens of races.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "html_parts.h"

namespace threadlens::reports {
namespace {

using nlohmann::json;

// Where a report's time axis starts and ends, in trace ticks.
std::pair<uint64_t, uint64_t> TraceWindow(const Report& r) {
  uint64_t t0 = r.begin_ticks, t1 = r.end_ticks;
  if (t1 <= t0) {
    bool any = false;
    for (auto& s : r.spans) {
      t0 = any ? std::min(t0, s.begin) : s.begin;
      t1 = any ? std::max(t1, s.end) : s.end;
      any = true;
    }
    for (auto& f : r.findings) {
      for (auto& a : f.accesses) {
        if (a.ts == 0) continue;
        t0 = any ? std::min(t0, a.ts) : a.ts;
        t1 = any ? std::max(t1, a.ts) : a.ts;
        any = true;
      }
    }
  }
  if (t1 <= t0) t1 = t0 + 1;
  return {t0, t1};
}

// JSON for a <script> element: '<' only occurs inside strings, where \u003c means the same,
// so no "</script>" or "<!--" can end the element early.
std::string ScriptJson(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

std::string LaneLabel(const ThreadInfo& t) {
  return (t.name.empty() ? "T" + std::to_string(t.tid) : t.name) +
         (t.blocked_at_end ? " (blocked)" : "");
}

// Past this many threads, the whole trace's timeline draws the threads of one name (its
// trailing number left out: worker-1, worker-2...) on one lane, except those of a finding
// and those blocked at the end: a server with a thread per connection has thousands.
constexpr size_t kMaxLanes = 64;

std::string BaseName(const std::string& name) {
  size_t n = name.size();
  // "worker (T12)": a name several threads had, told apart by tid.
  if (n > 4 && name[n - 1] == ')') {
    const size_t open = name.rfind(" (T");
    if (open != std::string::npos && open + 4 < n &&
        name.find_first_not_of("0123456789", open + 3) == n - 1) {
      n = open;
    }
  }
  const size_t named = n;
  while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9') --n;
  if (n < named) {
    while (n > 0 && (name[n - 1] == '-' || name[n - 1] == '_' || name[n - 1] == ' ' ||
                     name[n - 1] == '#' || name[n - 1] == '.' || name[n - 1] == ':')) {
      --n;
    }
  }
  return name.substr(0, n);
}

// The whole trace's lanes when there are too many threads for one each: [[tids], label,
// pid?] for a group of several.
json GroupedLanes(const Report& r, const std::vector<const ThreadInfo*>& threads) {
  // A finding's threads keep lanes of their own: by tid, or by a name only they have.
  std::set<uint32_t> own;
  std::map<std::string, std::pair<size_t, uint32_t>> named;  // threads of the name, a tid
  for (const ThreadInfo* t : threads) {
    auto& n = named[t->name];
    ++n.first;
    n.second = t->tid;
  }
  for (const Finding& f : r.findings) {
    for (const Access& a : f.accesses) own.insert(a.tid);
    for (const auto& e : f.cycle) own.insert(e.tid);
    for (const std::string& name : f.threads) {
      auto it = named.find(name);
      if (it != named.end() && it->second.first == 1) own.insert(it->second.second);
    }
  }
  // Groups in the order of their first thread; a thread of its own is a group of one.
  std::vector<std::vector<const ThreadInfo*>> groups;
  std::map<std::pair<uint32_t, std::string>, size_t> group_of;
  for (const ThreadInfo* t : threads) {
    if (own.count(t->tid) || t->blocked_at_end || t->tid == 0) {
      groups.push_back({t});
      continue;
    }
    auto [it, fresh] = group_of.try_emplace({t->pid, BaseName(t->name)}, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(t);
  }
  json lanes = json::array();
  for (const auto& g : groups) {
    const ThreadInfo& first = *g.front();
    json lane;
    if (g.size() == 1) {
      lane = {first.tid, LaneLabel(first)};
    } else {
      json tids = json::array();
      for (const ThreadInfo* t : g) tids.push_back(t->tid);
      const std::string base = BaseName(first.name);
      lane = {tids, (base.empty() ? "threads" : base) + " (" + std::to_string(g.size()) + ")"};
    }
    if (first.pid) lane.push_back(first.pid);
    lanes.push_back(std::move(lane));
  }
  return lanes;
}

}  // namespace

std::string TimelineData(const Report& r, const std::string& id) {
  auto [t0, t1] = TraceWindow(r);
  // Spans by start time, each start given as the distance from the previous one: small
  // numbers, so the block stays a few bytes per span.
  std::vector<const Span*> spans;
  spans.reserve(r.spans.size());
  for (auto& s : r.spans) spans.push_back(&s);
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span* a, const Span* b) { return a->begin < b->begin; });
  std::map<std::string, size_t> objects, kinds;
  json object_names = json::array(), kind_names = json::array(), flat = json::array();
  uint64_t prev = 0;
  for (const Span* s : spans) {
    uint64_t begin = std::max(s->begin, t0) - t0;
    uint64_t end = std::max(s->end, s->begin);
    end = std::max(end, t0) - t0;
    auto o = objects.try_emplace(s->object, objects.size());
    if (o.second) object_names.push_back(s->object);
    auto k = kinds.try_emplace(s->kind, kinds.size());
    if (k.second) kind_names.push_back(s->kind);
    flat.push_back(s->tid);
    flat.push_back(begin - prev);
    flat.push_back(end - begin);
    flat.push_back(k.first->second);
    flat.push_back(o.first->second);
    prev = begin;
  }
  json j = {{"end", t1 - t0},
            {"tps", r.ticks_per_second ? r.ticks_per_second : 1'000'000'000},
            {"objects", object_names},
            {"kinds", kind_names},
            {"spans", flat}};
  return "<script type=\"application/json\" class=\"timeline-data\" id=\"" + H(id) + "\">" +
         ScriptJson(j) + "</script>";
}

std::string TimelineView(const Report& r, const std::string& data_id, const Finding* focus,
                         size_t max_spans) {
  auto [t0, t1] = TraceWindow(r);
  const uint64_t trace_begin = t0;
  // Lanes: every thread, or only the focus finding's threads (by tid or name).
  std::set<uint32_t> focus_tids;
  std::set<std::string> focus_names;
  if (focus) {
    for (auto& a : focus->accesses) focus_tids.insert(a.tid), focus_names.insert(a.thread);
    for (auto& e : focus->cycle) focus_tids.insert(e.tid), focus_names.insert(e.thread);
    for (auto& t : focus->threads) focus_names.insert(t);
  }
  json lanes = json::array();
  std::map<std::string, size_t> lane_of_name;
  std::map<uint32_t, size_t> lane_of_tid;
  // In a recording of several processes the lanes go process by process, in pid order.
  std::vector<const ThreadInfo*> threads;
  for (auto& t : r.threads) threads.push_back(&t);
  std::stable_sort(threads.begin(), threads.end(),
                   [](const ThreadInfo* a, const ThreadInfo* b) { return a->pid < b->pid; });
  if (!focus && threads.size() > kMaxLanes) {
    lanes = GroupedLanes(r, threads);
    threads.clear();
  }
  for (const ThreadInfo* tp : threads) {
    const ThreadInfo& t = *tp;
    if (focus && !focus_names.count(t.name) && !(t.tid && focus_tids.count(t.tid))) continue;
    lane_of_name.emplace(t.name, lanes.size());
    lane_of_tid.emplace(t.tid, lanes.size());
    json lane = {t.tid, LaneLabel(t)};
    if (t.pid) lane.push_back(t.pid);  // the page draws a line between processes
    lanes.push_back(std::move(lane));
  }
  json marks = json::array();
  json hot = json::array();
  if (focus) {
    // Threads the report does not list still get a lane for their marks.
    for (auto& a : focus->accesses) {
      if (lane_of_name.count(a.thread) || (a.tid && lane_of_tid.count(a.tid))) continue;
      lane_of_name.emplace(a.thread, lanes.size());
      lanes.push_back({nullptr, a.thread});
    }
    // Zoom to the finding's accesses (with a margin), so that two racing accesses a
    // microsecond apart in a minute-long trace are still two marks, not one.
    uint64_t lo = UINT64_MAX, hi = 0;
    auto take = [&](const Access& a) {
      if (a.ts == 0) return;
      lo = std::min(lo, a.ts);
      hi = std::max(hi, a.ts);
    };
    for (auto& a : focus->accesses) take(a);
    for (auto& e : focus->cycle) take(e.from_site), take(e.to_site);
    if (lo <= hi) {
      uint64_t margin = std::max((hi - lo) / 5, (t1 - t0) / 20);
      uint64_t w0 = lo > t0 + margin ? lo - margin : t0;
      uint64_t w1 = std::min(t1, hi + margin);
      if (w1 > w0 && (w1 - w0) * 2 < (t1 - t0)) t0 = w0, t1 = w1;
    }
    for (auto& a : focus->accesses) {
      auto n = lane_of_name.find(a.thread);
      auto t = lane_of_tid.find(a.tid);
      size_t lane = n != lane_of_name.end() ? n->second
                    : t != lane_of_tid.end() ? t->second
                                             : SIZE_MAX;
      if (lane == SIZE_MAX) continue;
      uint64_t ts = std::clamp(a.ts, trace_begin, trace_begin + (t1 - trace_begin));
      marks.push_back({lane, ts - trace_begin, a.shown_op() + " " + a.object + " " + LongSite(a)});
    }
    std::set<std::string> locks(focus->locks.begin(), focus->locks.end());
    for (auto& a : focus->accesses) locks.insert(a.held.begin(), a.held.end());
    for (auto& l : locks) hot.push_back(l);
  }
  json view = {{"lanes", lanes},
               {"window", {t0 - trace_begin, t1 - trace_begin}},
               {"max", max_spans},
               {"focus", focus != nullptr},
               {"marks", marks},
               {"hot", hot}};
  return "<div class=\"timeline\" data-timeline=\"" + H(data_id) + "\" data-view=\"" +
         H(view.dump(-1, ' ', false, json::error_handler_t::replace)) + "\"></div>";
}

}  // namespace threadlens::reports
