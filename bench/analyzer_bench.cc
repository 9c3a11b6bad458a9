// Full analysis (every detector) of a 10-million-event synthetic trace, from the binary
// format and from STD text, plus the binary reader alone. The traces are generated once into
// THREADLENS_BENCH_DIR (default: the working directory) and reused. Run:
//   build/bench/analyzer_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "threadlens/analyzer/analyze.h"
#include "trace_gen.h"

namespace {

constexpr uint64_t kEvents = 10'000'000;

std::string TracePath(const char* ext) {
  const char* dir = std::getenv("THREADLENS_BENCH_DIR");
  std::filesystem::path p = dir ? dir : ".";
  return (p / ("analyzer_bench_10m." + std::string(ext))).string();
}

void EnsureTraces() {
  static bool done = false;
  if (done) return;
  done = true;
  std::string std_path = TracePath("std"), bin_path = TracePath("tltrace");
  if (std::filesystem::exists(std_path) && std::filesystem::exists(bin_path)) return;
  threadlens::bench::TraceGenOptions o;
  o.events = kEvents;
  std::ofstream text(std_path, std::ios::binary);
  threadlens::bench::GenerateTrace(o, &text, bin_path);
}

void Analyze(benchmark::State& state, const char* ext, bool races) {
  EnsureTraces();
  threadlens::AnalyzeOptions opts;
  opts.symbolize = false;
  opts.races = races;
  uint64_t events = 0;
  for (auto _ : state) {
    threadlens::Report r = threadlens::AnalyzeFile(TracePath(ext), opts);
    events = r.events;
    benchmark::DoNotOptimize(r.findings.size());
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(events) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_AnalyzeBinary(benchmark::State& state) { Analyze(state, "tltrace", true); }
void BM_AnalyzeStd(benchmark::State& state) { Analyze(state, "std", true); }
void BM_AnalyzeBinaryNoRaces(benchmark::State& state) { Analyze(state, "tltrace", false); }

void BM_ReadBinaryOnly(benchmark::State& state) {
  EnsureTraces();
  uint64_t events = 0;
  for (auto _ : state) {
    auto source = threadlens::OpenTrace(TracePath("tltrace"));
    threadlens::StreamEvent e;
    events = 0;
    while (source->Next(e)) ++events;
  }
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(events) * state.iterations(), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_AnalyzeBinary)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_AnalyzeBinaryNoRaces)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReadBinaryOnly)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_AnalyzeStd)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
