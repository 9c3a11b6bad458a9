// Synthetic traces (see trace_gen.h). Threads are forked by T0 at the start and joined at the
// end; in between a random thread runs a step: a read or write of a variable, made under the
// variable's lock (so most accesses are ordered and a few are racy), or a lock acquisition
// nested at most two deep in a consistent order (so the lock-order graph stays acyclic; with
// `inverted_ratio` some nests under lock 1 take lock 0, making one cycle).
#include "trace_gen.h"

#include <random>
#include <vector>

#include "threadlens/analyzer/trace_writer.h"

namespace threadlens::bench {
namespace {

using trace::EventKind;

class Sink {
 public:
  Sink(std::ostream* text, const std::string& binary) : text_(text) {
    if (!binary.empty()) {
      TraceWriter::Options o;
      o.program = "trace_gen";
      writer_ = std::make_unique<TraceWriter>(binary, o);
    }
  }
  void Emit(uint32_t tid, const char* op, char prefix, uint64_t operand, EventKind kind,
            uint64_t site) {
    ++ts_;
    if (text_) {
      char buf[96];
      int n = std::snprintf(buf, sizeof buf, "T%u|%s(%c%llu)|%llu\n", tid, op, prefix,
                            static_cast<unsigned long long>(operand),
                            static_cast<unsigned long long>(site));
      text_->write(buf, n);
    }
    if (writer_) {
      if (kind == EventKind::kThreadCreate) {
        writer_->Add(tid, kind, 0, 0, 0, operand, site | trace::kSiteIsString, ts_);
        writer_->Add(static_cast<uint32_t>(operand), EventKind::kThreadStart, 0, 0, 0, tid, 0,
                     ts_);
        return;
      }
      if (kind == EventKind::kThreadJoin) {
        writer_->Add(static_cast<uint32_t>(operand), EventKind::kThreadExit, 0, 0, 0, 0, 0, ts_);
      }
      uint64_t s = site_ids_.size() > site ? site_ids_[site] : 0;
      if (s == 0) {
        if (site_ids_.size() <= site) site_ids_.resize(site + 1, 0);
        s = site_ids_[site] = trace::kSiteIsString | writer_->String("gen.cc:" + std::to_string(site));
      }
      writer_->Add(tid, kind, 0, kind == EventKind::kRead || kind == EventKind::kWrite ? 8 : 1, 0,
                   operand, s, ts_);
    }
  }
  void Close() {
    if (writer_) writer_->Close();
  }

 private:
  std::ostream* text_;
  std::unique_ptr<TraceWriter> writer_;
  std::vector<uint64_t> site_ids_;
  uint64_t ts_ = 0;
};

}  // namespace

TraceGenStats GenerateTrace(const TraceGenOptions& o, std::ostream* std_out,
                            const std::string& binary_path) {
  TraceGenStats stats;
  Sink sink(std_out, binary_path);
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const uint32_t threads = std::max<uint32_t>(o.threads, 1);
  const uint32_t locks = std::max<uint32_t>(o.locks, 1);
  const uint32_t vars = std::max<uint32_t>(o.variables, 1);
  // Addresses: locks 0x1000 + 64*i, variables 0x100000 + 8*i (a heap-like layout).
  auto lock_addr = [](uint64_t l) { return 0x1000 + 64 * l; };
  auto var_addr = [](uint64_t v) { return 0x100000 + 8 * v; };
  for (uint32_t t = 1; t <= threads; ++t) {
    sink.Emit(0, "fork", 'T', t, EventKind::kThreadCreate, 1);
    ++stats.events;
  }
  std::vector<std::vector<uint32_t>> held(threads + 1);
  std::vector<uint32_t> owner(locks, 0);  // thread holding each lock (0: none), for `exclusive`
  while (stats.events < o.events) {
    uint32_t t = 1 + static_cast<uint32_t>(rng() % threads);
    auto& h = held[t];
    double p = unit(rng);
    if (p < o.lock_ratio) {
      // Acquire a lock above the innermost held one (consistent order), or release.
      const bool invert = o.inverted_ratio > 0 && h.size() == 1 && h.back() == 1 &&
                          unit(rng) < o.inverted_ratio;
      if (h.size() < 2 && (invert || h.empty() || h.back() + 1 < locks) && (rng() & 1)) {
        uint32_t lo = h.empty() ? 0 : h.back() + 1;
        uint32_t l = invert ? 0 : lo + static_cast<uint32_t>(rng() % (locks - lo));
        if (o.exclusive && owner[l] != 0) continue;
        sink.Emit(t, "acq", 'L', lock_addr(l), EventKind::kLockAcquired, 100 + l);
        h.push_back(l);
        owner[l] = t;
      } else if (!h.empty()) {
        sink.Emit(t, "rel", 'L', lock_addr(h.back()), EventKind::kLockRelease, 200 + h.back());
        owner[h.back()] = 0;
        h.pop_back();
      } else {
        continue;
      }
    } else {
      // An access to a variable protected by a held lock, or (rarely) to any variable.
      uint32_t v;
      if (!h.empty() && unit(rng) >= o.racy_ratio) {
        uint32_t l = h[rng() % h.size()];
        uint32_t per_lock = std::max<uint32_t>(vars / locks, 1);
        v = (l + locks * static_cast<uint32_t>(rng() % per_lock)) % vars;
      } else if (h.empty() && unit(rng) >= o.racy_ratio) {
        // Thread-local data: variables beyond the shared ones, one range per thread.
        v = vars + t * 64 + static_cast<uint32_t>(rng() % 64);
      } else {
        v = static_cast<uint32_t>(rng() % vars);
      }
      bool write = unit(rng) < o.write_ratio;
      sink.Emit(t, write ? "w" : "r", 'V', var_addr(v),
                write ? EventKind::kWrite : EventKind::kRead, 1000 + (v % 512));
    }
    ++stats.events;
  }
  for (uint32_t t = 1; t <= threads; ++t) {
    for (auto it = held[t].rbegin(); it != held[t].rend(); ++it) {
      sink.Emit(t, "rel", 'L', lock_addr(*it), EventKind::kLockRelease, 200 + *it);
      ++stats.events;
    }
    sink.Emit(0, "join", 'T', t, EventKind::kThreadJoin, 2);
    ++stats.events;
  }
  sink.Close();
  return stats;
}

}  // namespace threadlens::bench
