// Reader-only cost: opens a trace and pulls every event through EventSource::NextBatch (as
// the analysis loop does), without any detector. Prints the event count and the median time.
//   read_trace TRACE [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_trace TRACE [RUNS]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<double> times;
  uint64_t events = 0, sum = 0;  // sum: the stream hash of the last run
  try {
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      auto source = threadlens::OpenTrace(argv[1]);
      static threadlens::StreamEvent batch[4096];
      events = 0;
      sum = 0xcbf29ce484222325ull;
      while (size_t n = source->NextBatch(batch, 4096)) {
        events += n;
        // Hash every event in order: nothing can be skipped, and two readers that print the
        // same hash produced the same stream.
        for (size_t i = 0; i < n; ++i) {
          const auto& e = batch[i];
          sum = (sum ^ (e.ev.obj + e.ev.seq + e.ev.ts + e.ev.site + e.ev.kind + e.ev.aux16 +
                        (uint64_t{e.ev.aux32} << 16) + (uint64_t{e.tid} << 40))) *
                0x100000001b3ull;
        }
      }
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  } catch (const threadlens::Error& e) {
    std::fprintf(stderr, "read_trace: %s\n", e.what());
    return 2;
  }
  std::sort(times.begin(), times.end());
  std::printf("events %llu seconds %.6f events_per_s %.0f stream_hash %016llx\n",
              static_cast<unsigned long long>(events), times[times.size() / 2],
              events / times[times.size() / 2], static_cast<unsigned long long>(sum));
}
