// Reader-only cost: opens a trace and pulls every event through EventSource::NextSpan, as
// the analysis loop does, without any detector. Prints the event count, the median time and
// a hash of the event stream in order (two readers that print the same hash produced the
// same stream).
//   read_trace [--no-hash] TRACE [RUNS]
// The timed runs only add up each event's address, so they measure the reader rather than
// the consumer; the hash, a serial multiply per event, is made in one more run, not timed
// (none with --no-hash, for timing the whole process from outside).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"

namespace {

uint64_t StreamHash(const char* path) {
  auto source = threadlens::OpenTrace(path);
  uint64_t sum = 0xcbf29ce484222325ull;
  const threadlens::StreamEvent* span;
  while (size_t n = source->NextSpan(&span)) {
    for (size_t i = 0; i < n; ++i) {
      const auto& e = span[i];
      sum = (sum ^ (e.ev.obj + e.ev.seq + e.ev.ts + e.ev.site + e.ev.kind + e.ev.aux16 +
                    (uint64_t{e.ev.aux32} << 16) + (uint64_t{e.tid} << 40))) *
            0x100000001b3ull;
    }
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  const bool hashed = !(argc > 1 && std::strcmp(argv[1], "--no-hash") == 0);
  if (!hashed) --argc, ++argv;
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_trace [--no-hash] TRACE [RUNS]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<double> times;
  uint64_t events = 0, touched = 0, hash = 0;
  try {
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      auto source = threadlens::OpenTrace(argv[1]);
      const threadlens::StreamEvent* span;
      events = 0;
      while (size_t n = source->NextSpan(&span)) {
        events += n;
        for (size_t i = 0; i < n; ++i) touched += span[i].ev.obj;
      }
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (hashed) hash = StreamHash(argv[1]);
  } catch (const threadlens::Error& e) {
    std::fprintf(stderr, "read_trace: %s\n", e.what());
    return 2;
  }
  std::sort(times.begin(), times.end());
  [[maybe_unused]] volatile uint64_t keep = touched;  // the adding is not optimized away
  std::printf("events %llu seconds %.6f events_per_s %.0f", static_cast<unsigned long long>(events),
              times[times.size() / 2], events / times[times.size() / 2]);
  if (hashed) std::printf(" stream_hash %016llx", static_cast<unsigned long long>(hash));
  std::printf("\n");
}
