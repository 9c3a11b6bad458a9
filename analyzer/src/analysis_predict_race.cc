// The analysis driver's race prediction: sync-preserving races (predict_race.h), then the WCP
// candidates beyond them (predict_wcp.h) that a schedule reordering critical sections proves
// (predict_schedule.h). Both are reported as predicted races with their witness.
#include <memory>
#include <set>
#include <tuple>

#include "analysis.h"
#include "predict_output.h"
#include "predict_race.h"
#include "predict_schedule.h"
#include "predict_wcp.h"

namespace threadlens::analysis {

using POp = PredictTrace::Op;
using predict_out::AppendSteps;
using predict_out::SideOf;

namespace {

RawFinding RaceFinding(const PredictTrace& trace, const RaceWitness& w, size_t max_steps) {
  RawFinding f;
  f.kind = "race";
  f.severity = Severity::kError;
  for (uint32_t id : {w.first, w.second}) {
    const bool write = trace.At(id).op == POp::kWrite;
    SideRef s = SideOf(trace, id, write ? Op::kWrite : Op::kRead);
    s.atomic = trace.At(id).atomic;
    f.sides.push_back(s);
    f.tids.push_back(s.tid);
  }
  f.vars.push_back(trace.At(w.first).obj);
  f.sort_key = f.sides[0].index;
  f.predicted = true;
  AppendSteps(trace, w.schedule, max_steps, f);
  for (const SideRef& s : f.sides) {
    f.witness.push_back(
        {s, s.op == Op::kWrite ? "race-write" : "race-read", RawWitnessStep::kVariable});
  }
  return f;
}

}  // namespace

void Analysis::PredictRaces(std::vector<RawFinding>& raw, std::vector<std::string>& notes) {
  predict_->Finalize();
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> reported;  // location, site pair
  // Keyed by the access's own address: the granules of one access split by granule (binary
  // traces) are one race, as happens-before reports it once at its first byte.
  auto first_part = [&](uint32_t id) {
    while (id > 0 && (predict_->HotOf(id).flags & PredictTrace::kPart)) --id;
    return id;
  };
  auto key = [&](uint32_t x, uint32_t y) {
    const uint64_t a = predict_->Site(x), b = predict_->Site(y);
    return std::make_tuple(predict_->Obj(first_part(x)), std::min(a, b), std::max(a, b));
  };
  for (const RawFinding& f : raw) {
    if (f.kind != "race" || f.sides.size() < 2) continue;
    const uint64_t a = f.sides[0].site, b = f.sides[1].site;
    reported.insert({f.sides[0].obj, std::min(a, b), std::max(a, b)});
  }
  auto skip = [&](uint32_t x, uint32_t y) { return reported.count(key(x, y)) > 0; };
  auto report = [&](const RaceWitness& w, const char* relation, const char* detail) {
    RawFinding f = RaceFinding(*predict_, w, opts_.max_witness_steps);
    // A heap block is named by its allocation, as happens-before names it.
    if (const HeapRef* h = lifetimes_.Block(predict_->At(w.first).life, f.vars[0])) f.heap = *h;
    f.relation = relation;
    f.detail = detail;
    reported.insert(key(w.first, w.second));
    raw.push_back(std::move(f));
  };
  size_t found = 0;
  bool cut = false;
  // A smaller share than the deadlock search: each pair of access groups may cost a closure
  // over the trace, and there are many more of them than lock-order cycles.
  const uint64_t share =
      opts_.max_predict_work ? opts_.max_predict_work / 4 : 4 * predict_->size() + 1'000'000;
  uint64_t budget = share;
  // The search's prefix closures (up to 32 MiB) are freed before the WCP step allocates its own.
  auto predictor = std::make_unique<RacePredictor>(*predict_);
  const bool complete = predictor->FindAll(budget, skip, [&](const RaceWitness& w) {
    if (skip(w.first, w.second)) return;  // another granule of a race just reported
    if (found >= opts_.max_races) {
      cut = true;
      return;
    }
    ++found;
    report(w, "sync-preserving",
           "Predicted: in this run happens-before ordered these accesses, but a reordering of "
           "the run's own events, keeping each thread's order, what every read saw and the "
           "order of critical sections on each lock, reaches both at once (the schedule "
           "below).");
  });
  const uint64_t capped = predictor->capped();
  predictor.reset();
  if (found > 0 || !complete || cut || capped > 0) {
    notes.push_back(
        "prediction: " + std::to_string(found) +
        " race(s) beyond happens-before in a sync-preserving reordering" +
        (complete && !cut ? "" : " (search stopped: work budget or race limit)") +
        (capped == 0 ? ""
                     : "; on " + std::to_string(capped) +
                           " location(s) and pair(s) of sites, only the " +
                           std::to_string(RacePredictor::kTriesPerClass) +
                           " nearest pairs of threads were searched"));
  }

  // WCP candidates, each tried once for a schedule. Each schedule's closure and replay cover
  // the trace up to its accesses, so the schedules get 4 times the sync-preserving search's
  // budget; the comparisons of the WCP pass have their own.
  std::vector<std::pair<uint32_t, uint32_t>> candidates;
  uint64_t pass_budget = 16 * predict_->size() + 1'000'000;
  WcpRaces wcp(*predict_);
  bool wcp_complete = wcp.Candidates(pass_budget, &candidates);
  const bool clocks_capped = wcp.clocks_capped();
  ReorderSearch search(*predict_);
  uint64_t search_budget = 4 * share;
  size_t proved = 0, unproved = 0;
  for (const auto& [first, second] : candidates) {
    if (skip(first, second)) continue;
    if (found >= opts_.max_races) {
      cut = true;
      break;
    }
    RaceWitness w;
    w.first = first;
    w.second = second;
    const auto result = search.Find(first, second, search_budget, &w.schedule);
    if (result == ReorderSearch::Result::kOutOfBudget) {
      wcp_complete = false;
      break;
    }
    // Only a schedule the replay accepts is a prediction.
    if (result != ReorderSearch::Result::kFound ||
        !CheckRaceSchedule(*predict_, w.schedule, first, second)) {
      ++unproved;
      continue;
    }
    ++found;
    ++proved;
    report(w, "wcp",
           "Predicted: in this run happens-before ordered these accesses, and no reordering "
           "that keeps the order of critical sections on each lock reaches both, but weak-"
           "causally-precedes (WCP) leaves them unordered, and the schedule below, which runs "
           "some critical sections in another order while keeping each thread's order and what "
           "every read saw, reaches both at once.");
  }
  if (proved > 0 || unproved > 0 || !wcp_complete) {
    notes.push_back("prediction: " + std::to_string(proved) +
                    " more race(s) found by WCP and proved by a schedule that reorders critical "
                    "sections; " +
                    std::to_string(unproved) + " WCP candidate(s) without a schedule found" +
                    (clocks_capped ? " (the WCP pass stopped: its clocks reached " +
                                         std::to_string(WcpRaces::kMaxClockBytes >> 20) +
                                         " MiB, with " + std::to_string(predict_->threads()) +
                                         " threads)"
                     : wcp_complete && !cut ? ""
                                            : " (search stopped: work budget or race limit)"));
  }
}

}  // namespace threadlens::analysis
