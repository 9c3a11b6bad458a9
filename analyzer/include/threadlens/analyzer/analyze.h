// The analyzer's entry point: one pass over an event stream through every detector (races,
// lock-order cycles, deadlocks, self-deadlocks, hangs, lock misuse, contention), producing
// the whole Report (findings by name, threads, locks, lock-order graph, timeline spans).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {

class Symbolizer;

struct AnalyzeOptions {
  bool races = true;
  bool lock_order = true;
  bool contention = true;         // contention findings (severity note)
  bool symbolize = true;          // resolve pcs and data addresses (llvm-symbolizer)
  size_t max_races = 1000;        // distinct races reported; a note says when more exist
  size_t max_cycle_length = 64;   // longest lock-order cycle enumerated, in locks
  size_t max_cycles = 10000;      // lock-order cycles enumerated
  size_t max_cycle_reports = 1000;
  size_t max_spans = 100000;      // timeline spans kept in Report::spans
  size_t max_misuse = 1000;       // misuse findings
  // Apply the ThreadSanitizer settings the program ran with (TSAN_OPTIONS' suppressions file
  // and report_* flags, __tsan_default_options/_suppressions), as the trace recorded them.
  bool tsan_settings = true;
  // Release sequences as C++11 to C++17 define them: a store by the thread that heads one
  // continues it (C++20, the default, ends it: only read-modify-writes continue one).
  // For code written to the older rule.
  bool cxx11_release_sequences = false;
  // Threads that check shadow memory beside the one reading the trace. -1: the
  // THREADLENS_RACE_WORKERS environment variable if set, else 2 when this process may run
  // on three CPUs or more, 1 on two. The findings are the same whatever the number.
  int race_workers = -1;
  // AnalyzeFile reads a binary trace of one process on a thread of its own, a ring of event
  // batches ahead. -1: when races are checked and this process may run on more CPUs than
  // the analysis thread and its race workers (on two CPUs, only with no race worker), unless
  // THREADLENS_READ_AHEAD=0; 0: never; 1: always. The findings are the same.
  int read_ahead = -1;
  // Sound prediction (docs/findings.md, "Prediction"): each lock-order cycle is checked for a
  // sync-preserving reordering of the trace that deadlocks, whose schedule the finding then
  // carries. Keeps the trace's synchronization and memory events in memory.
  bool predict = false;
  size_t max_witness_steps = 2000;    // a witness's latest steps kept; the rest are counted
  // Work of the deadlock search (events visited by closures), over all cycles; 0: 32 per event
  // of the trace plus 4 million. Cycles left when it runs out stay as without prediction. The
  // race search gets a quarter of it (0: 4 per event plus 1 million).
  uint64_t max_predict_work = 0;
  // Events the prediction model keeps (an access is one per 8-byte granule it touches; about
  // 180 bytes each, so 2.9 GB at the default): past them it stops, and predicts from the
  // trace up to there (a prefix of a run is a run), with a note. 0: no limit.
  uint64_t max_predict_events = 16'000'000;
  // Resolves pcs instead of the trace's own symbolizer when set (not owned; used only
  // when `symbolize`): for tests and for callers that already have one.
  Symbolizer* symbolizer = nullptr;
  // Called with the events read so far, every 64 Ki events (a progress display).
  std::function<void(uint64_t events)> progress;
};

// Reads `source` to its end. Throws Error on bad input; findings are never errors.
Report Analyze(EventSource& source, const AnalyzeOptions& options = {});

// Opens `path` (binary or STD text) and analyzes it.
Report AnalyzeFile(const std::string& path, const AnalyzeOptions& options = {});

// The fingerprint of a finding from its kind and names (16 hex digits). Exposed so other
// producers of findings (TSan import) fingerprint the same way.
std::string FingerprintOf(const Finding& finding);
// Findings of one report that got the same fingerprint (two objects of one type, allocated
// by one function on different lines, raced on by the same functions) are told apart: each
// of them gets one that also keys the lines their variables and sides name. Fingerprints
// that are unique stay as FingerprintOf made them.
void DisambiguateFingerprints(std::vector<Finding>& findings);

}  // namespace threadlens
