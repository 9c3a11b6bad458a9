// Chrome trace event writer (the "Trace Event Format" JSON). Complete slices ("X") must
// nest on a thread; a hold that only partly overlaps the previous one (hand-over-hand
// locking) goes out as an async slice ("b"/"e") instead, which Perfetto draws on its own
// track. Timestamps are microseconds from the start of the trace.
#include "threadlens/reports/chrome_trace.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "render_util.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::reports {
namespace {

using nlohmann::json;

struct Clock {
  uint64_t origin;
  uint64_t tps;
  double Us(uint64_t t) const {
    return t < origin ? 0.0 : static_cast<double>(t - origin) * 1e6 / static_cast<double>(tps);
  }
};

// The lanes of one report, each with a name: the report's threads, else the name a finding
// gives the thread (an imported TSan report lists no threads), else "T<tid>".
class Lanes {
 public:
  explicit Lanes(const Report& r) {
    for (auto& t : r.threads) {
      names_.emplace(t.tid, t.name.empty() ? "T" + std::to_string(t.tid) : t.name);
      by_name_.emplace(t.name, t.tid);
      next_ = std::max(next_, t.tid + 1);
    }
    for (auto& s : r.spans) next_ = std::max(next_, s.tid + 1);
    for (auto& f : r.findings) {
      for (auto& a : f.accesses) next_ = std::max(next_, a.tid + 1);
    }
  }

  uint32_t Of(const Access& a) {
    if (a.tid) {
      if (!a.thread.empty()) names_.emplace(a.tid, a.thread);
      return a.tid;
    }
    if (auto it = by_name_.find(a.thread); it != by_name_.end()) return it->second;
    // No tid: a lane of its own per thread name, rather than all of them on tid 0.
    uint32_t tid = next_++;
    by_name_.emplace(a.thread, tid);
    names_.emplace(tid, a.thread.empty() ? "T?" : a.thread);
    return tid;
  }

  void Use(uint32_t tid) { names_.emplace(tid, "T" + std::to_string(tid)); }
  const std::map<uint32_t, std::string>& names() const { return names_; }

 private:
  std::map<uint32_t, std::string> names_;
  std::map<std::string, uint32_t> by_name_;
  uint32_t next_ = 1;
};

// Hands every event of the reports to `emit(json)`, in order: the writer streams them out
// one by one (a trace of 30 000 threads made a document of 160 000 events, 430 MB as one
// value).
template <typename Emit>
void ChromeEvents(const std::vector<NamedReport>& reports, Emit&& emit) {
  uint64_t next_id = 1;
  for (size_t ri = 0; ri < reports.size(); ++ri) {
    const Report& r = reports[ri].report;
    // A recording of several processes: one Perfetto process per traced process (its index
    // is in the tid's top byte), named with its pid.
    const int report_pid = static_cast<int>(ri + 1);
    auto pid_of = [&](uint32_t tid) {
      return r.pids.empty() ? report_pid : report_pid * 1000 + static_cast<int>(tid >> 24);
    };
    uint64_t origin = r.begin_ticks;
    for (auto& s : r.spans) origin = std::min(origin, s.begin);
    Clock clock{origin, r.ticks_per_second ? r.ticks_per_second : 1'000'000'000};
    const std::string title = reports[ri].name.empty() ? r.trace : reports[ri].name;
    for (size_t p = 0; p < std::max<size_t>(r.pids.size(), 1); ++p) {
      emit({{"ph", "M"},
            {"name", "process_name"},
            {"pid", pid_of(static_cast<uint32_t>(p) << 24)},
            {"tid", 0},
            {"args",
             {{"name", r.pids.empty() ? title : title + " pid " + std::to_string(r.pids[p])}}}});
    }
    Lanes lanes(r);
    // Per thread, spans sorted by begin (longest first on ties) so nesting can be checked
    // with a stack of open complete slices.
    std::map<uint32_t, std::vector<const Span*>> by_tid;
    for (auto& s : r.spans) by_tid[s.tid].push_back(&s), lanes.Use(s.tid);
    for (auto& [tid, spans] : by_tid) {
      std::stable_sort(spans.begin(), spans.end(), [](const Span* a, const Span* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end > b->end;
      });
      std::vector<uint64_t> open_ends;
      for (const Span* s : spans) {
        while (!open_ends.empty() && open_ends.back() <= s->begin) open_ends.pop_back();
        const bool hold = s->kind == "hold" || s->kind == "hold-shared";
        std::string name = (hold ? "hold " : s->kind == "join" ? "join " : "wait ") + s->object;
        json args = {{"lock", s->object}, {"kind", s->kind}};
        const char* cat = hold ? "lock" : "wait";
        if (open_ends.empty() || s->end <= open_ends.back()) {
          emit({{"ph", "X"},
                {"name", name},
                {"cat", cat},
                {"pid", pid_of(tid)},
                {"tid", tid},
                {"ts", clock.Us(s->begin)},
                {"dur", clock.Us(s->end) - clock.Us(s->begin)},
                {"args", args}});
          open_ends.push_back(s->end);
        } else {
          uint64_t id = next_id++;
          json b = {{"ph", "b"},
                    {"name", name},
                    {"cat", cat},
                    {"pid", pid_of(tid)},
                    {"tid", tid},
                    {"id", id},
                    {"ts", clock.Us(s->begin)},
                    {"args", args}};
          json e = {{"ph", "e"},
                    {"name", name},
                    {"cat", cat},
                    {"pid", pid_of(tid)},
                    {"tid", tid},
                    {"id", id},
                    {"ts", clock.Us(s->end)}};
          emit(std::move(b));
          emit(std::move(e));
        }
      }
    }
    // Findings: a zero-length marker slice per access, chained by flow arrows in order
    // (race: first access -> second; deadlock: around the cycle, back to the start).
    for (const Finding& f : r.findings) {
      if (f.accesses.empty()) continue;
      std::vector<std::pair<uint32_t, const Access*>> marks;
      for (auto& a : f.accesses) marks.push_back({lanes.Of(a), &a});
      for (auto& [tid, a] : marks) {
        emit({{"ph", "X"},
              {"name", f.kind + ": " + a->op + " " + a->object},
              {"cat", "finding"},
              {"pid", pid_of(tid)},
              {"tid", tid},
              {"ts", clock.Us(a->ts)},
              {"dur", 0},
              {"args",
               {{"finding", f.title}, {"site", LongSite(*a)}, {"fingerprint", f.fingerprint}}}});
      }
      bool cyclic = f.kind == "deadlock" && marks.size() > 1;
      size_t arrows = cyclic ? marks.size() : marks.size() - 1;
      for (size_t i = 0; i < arrows; ++i) {
        auto& [tid_a, a] = marks[i];
        auto& [tid_b, b] = marks[(i + 1) % marks.size()];
        uint64_t id = next_id++;
        std::string name = f.kind;
        emit({{"ph", "s"},
              {"name", name},
              {"cat", "finding"},
              {"pid", pid_of(tid_a)},
              {"tid", tid_a},
              {"id", id},
              {"ts", clock.Us(a->ts)}});
        emit({{"ph", "f"},
              {"bp", "e"},
              {"name", name},
              {"cat", "finding"},
              {"pid", pid_of(tid_b)},
              {"tid", tid_b},
              {"id", id},
              {"ts", clock.Us(b->ts)}});
      }
    }
    // Every lane with an event gets its name (Perfetto shows bare numbers otherwise).
    for (auto& [tid, name] : lanes.names()) {
      emit({{"ph", "M"},
            {"name", "thread_name"},
            {"pid", pid_of(tid)},
            {"tid", tid},
            {"args", {{"name", name}}}});
      emit({{"ph", "M"},
            {"name", "thread_sort_index"},
            {"pid", pid_of(tid)},
            {"tid", tid},
            {"args", {{"sort_index", tid}}}});
    }
  }
}

}  // namespace

json ToChromeTrace(const std::vector<NamedReport>& reports) {
  json events = json::array();
  ChromeEvents(reports, [&](json e) { events.push_back(std::move(e)); });
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"otherData", {{"generator", "threadlens"}}}};
}

void WriteChromeTrace(const std::string& path, const std::vector<NamedReport>& reports) {
  std::ofstream out(path, std::ios::binary);
  // ToChromeTrace's document byte for byte (its keys in their order), an event at a time.
  out << R"({"displayTimeUnit":"ns","otherData":{"generator":"threadlens"},"traceEvents":[)";
  bool first = true;
  ChromeEvents(reports, [&](const json& e) {
    if (!first) out << ',';
    first = false;
    out << e.dump(-1, ' ', false, json::error_handler_t::replace);
  });
  out << "]}\n";
  out.close();
  if (!out) throw Error("cannot write " + path);
}

}  // namespace threadlens::reports
