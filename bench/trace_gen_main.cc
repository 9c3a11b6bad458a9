// `trace_gen`: writes a synthetic trace (STD text and/or binary) for benchmarks and for
// measuring the analyzer's memory at different trace lengths.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "trace_gen.h"

int main(int argc, char** argv) {
  threadlens::bench::TraceGenOptions o;
  std::string std_path, bin_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--std") std_path = v;
    else if (k == "--binary") bin_path = v;
    else if (k == "--events") o.events = std::strtoull(v, nullptr, 10);
    else if (k == "--seed") o.seed = std::strtoull(v, nullptr, 10);
    else if (k == "--threads") o.threads = std::atoi(v);
    else if (k == "--locks") o.locks = std::atoi(v);
    else if (k == "--variables") o.variables = std::atoi(v);
    else if (k == "--racy") o.racy_ratio = std::atof(v);
    else if (k == "--exclusive") o.exclusive = std::atoi(v) != 0;
    else if (k == "--inverted") o.inverted_ratio = std::atof(v);
    else {
      std::fprintf(stderr, "trace_gen: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (std_path.empty() && bin_path.empty()) {
    std::fprintf(stderr,
                 "usage: trace_gen [--std F] [--binary F] [--events N] [--seed S] [--threads N]"
                 " [--locks N] [--variables N] [--racy R] [--exclusive 0|1] [--inverted R]\n");
    return 2;
  }
  std::ofstream text;
  if (!std_path.empty()) text.open(std_path, std::ios::binary);
  auto stats = threadlens::bench::GenerateTrace(o, std_path.empty() ? nullptr : &text, bin_path);
  std::fprintf(stderr, "trace_gen: %llu events\n", static_cast<unsigned long long>(stats.events));
  return 0;
}
