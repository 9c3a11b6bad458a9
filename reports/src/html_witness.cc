// A predicted finding's witness drawn as a timeline of its own, below the observed one: one
// lane per thread, one column per step of the reordered schedule. A step that runs before an
// event that preceded it in the run is marked moved; the final steps (blocked requests and
// waits, racing accesses) are marked as such. Plain SVG with a tooltip per step: no script,
// nothing fetched, every name escaped.
#include <algorithm>
#include <map>

#include "html_parts.h"

namespace threadlens::reports {

namespace {

bool FinalStep(const std::string& op) {
  return op == "request" || op == "wait" || op == "join-blocked" || op == "sem-wait" ||
         op.rfind("race-", 0) == 0;
}

}  // namespace

std::string WitnessTimeline(const Finding& f) {
  constexpr size_t kMaxSteps = 300;
  constexpr int kStep = 14, kLane = 22, kLabel = 130, kTop = 6;
  if (f.witness.empty()) return "";
  const size_t first = f.witness.size() > kMaxSteps ? f.witness.size() - kMaxSteps : 0;
  // Moved: some later step of the schedule ran before it in the trace.
  std::vector<bool> moved(f.witness.size(), false);
  uint64_t later_min = UINT64_MAX;
  for (size_t i = f.witness.size(); i-- > 0;) {
    const WitnessStep& w = f.witness[i];
    if (FinalStep(w.op)) continue;
    moved[i] = later_min < w.event_index;
    later_min = std::min(later_min, w.event_index);
  }
  std::vector<std::string> lanes;
  std::map<std::string, size_t> lane_of;
  for (size_t i = first; i < f.witness.size(); ++i) {
    if (lane_of.emplace(f.witness[i].thread, lanes.size()).second)
      lanes.push_back(f.witness[i].thread);
  }
  const size_t steps = f.witness.size() - first;
  const int width = kLabel + static_cast<int>(steps) * kStep + 10;
  const int height = kTop + static_cast<int>(lanes.size()) * kLane + 6;
  std::string o = "<div class=\"witness-timeline\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                  "width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
                  "\" role=\"img\" aria-label=\"predicted schedule\">";
  for (size_t l = 0; l < lanes.size(); ++l) {
    const int y = kTop + static_cast<int>(l) * kLane;
    o += "<text class=\"lane\" x=\"4\" y=\"" + std::to_string(y + 14) +
         "\" font-size=\"12\" font-family=\"sans-serif\">" + H(lanes[l]) + "</text>";
    o += "<line x1=\"" + std::to_string(kLabel) + "\" x2=\"" + std::to_string(width - 4) +
         "\" y1=\"" + std::to_string(y + 10) + "\" y2=\"" + std::to_string(y + 10) +
         "\" stroke=\"#ddd\"/>";
  }
  size_t moved_count = 0;
  for (size_t i = first; i < f.witness.size(); ++i) {
    const WitnessStep& w = f.witness[i];
    const bool final_step = FinalStep(w.op);
    moved_count += moved[i];
    const int x = kLabel + static_cast<int>(i - first) * kStep;
    const int y = kTop + static_cast<int>(lane_of[w.thread]) * kLane + 2;
    const char* fill = final_step ? "#d9534f" : moved[i] ? "#f0ad4e" : "#5b8def";
    std::string cls = std::string("step") + (moved[i] ? " moved" : "") + (final_step ? " final" : "");
    o += "<rect class=\"" + cls + "\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
         "\" width=\"" + std::to_string(kStep - 3) + "\" height=\"16\" rx=\"2\" fill=\"" + fill +
         "\"><title>" + std::to_string(i + 1 + f.witness_omitted) + ". " + H(w.thread) + " " +
         H(w.op) + "(" + H(w.object) + ")" + (w.site.empty() ? "" : " at " + H(w.site)) +
         (moved[i] ? " (moved before events that preceded it in this run)" : "") +
         (final_step ? (w.op.rfind("race-", 0) == 0 ? " (ready: the race)" : " (blocked)") : "") +
         "</title></rect>";
  }
  o += "</svg><div class=\"muted\">" + std::to_string(steps) + " step" +
       (steps == 1 ? "" : "s") + " in schedule order, left to right";
  if (first + f.witness_omitted > 0)
    o += " (the first " + std::to_string(first + f.witness_omitted) + " not drawn)";
  o += "; <span style=\"color:#f0ad4e\">&#9632;</span> moved: " + std::to_string(moved_count) +
       " step" + (moved_count == 1 ? "" : "s") +
       " run before events that preceded them in this run; <span style=\"color:#d9534f\">"
       "&#9632;</span> " +
       (f.kind == "race" ? "the racing accesses" : "where each thread blocks") +
       "; hover a step for what it is.</div></div>";
  return o;
}

}  // namespace threadlens::reports
