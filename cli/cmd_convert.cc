// `threadlens convert IN OUT`: binary trace <-> RAPID STD text. The input's format comes from
// its content, the output's from its extension (.std or .txt: STD text; else binary).
#include <cstdio>
#include <fstream>
#include <unordered_set>

#include "threadlens/analyzer/trace_writer.h"
#include "commands.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/std_text.h"

namespace threadlens::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Copies every event into a binary trace, keeping string ids and sequence numbers.
uint64_t WriteBinary(EventSource& source, const std::string& out) {
  TraceWriter::Options wo;
  wo.program = source.Meta().program;
  wo.pid = source.Meta().pid;
  wo.ticks_per_second = source.Meta().ticks_per_second;
  wo.start_ticks = source.Meta().start_ticks;
  TraceWriter writer(out, wo);
  writer.Modules(source.Modules());
  std::unordered_set<uint32_t> defined;
  auto define = [&](uint32_t id) {
    if (id != 0 && defined.insert(id).second) writer.DefineString(id, source.String(id));
  };
  StreamEvent e;
  uint64_t n = 0;
  bool watchdog = source.Meta().watchdog;
  while (source.Next(e)) {
    switch (e.kind()) {
      case trace::EventKind::kNameThread:
      case trace::EventKind::kNameLock:
      case trace::EventKind::kNameVariable:
        define(e.ev.aux32);
        break;
      case trace::EventKind::kWatchdogFired:
        watchdog = true;
        break;
      default:
        break;
    }
    if (e.ev.site & trace::kSiteIsString) define(static_cast<uint32_t>(e.ev.site));
    writer.Add(e.tid, e.ev);
    ++n;
  }
  writer.Close(watchdog);
  return n;
}

}  // namespace

Command AddConvert(CLI::App& app) {
  struct Options {
    std::string in, out;
    bool plain = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "convert", "Convert a trace between the binary format and RAPID STD text (.std)");
  sub->add_option("in", o->in, "Input trace (binary or STD text, detected by content)")
      ->required();
  sub->add_option("out", o->out, "Output file: .std or .txt writes STD text, else binary")
      ->required();
  sub->add_flag("--plain", o->plain,
                "STD output in plain RAPID form: leave out req, wait and notify lines");
  return {sub, [o]() -> int {
            auto source = OpenTrace(o->in);
            if (EndsWith(o->out, ".std") || EndsWith(o->out, ".txt")) {
              std::ofstream out(o->out, std::ios::binary);
              if (!out) throw Error(o->out + ": cannot write (is the folder there and writable?)");
              StdWriteStats stats = WriteStdTrace(*source, out, o->plain);
              out.close();
              if (!out) throw Error(o->out + ": write failed (disk full?)");
              std::fprintf(stderr, "threadlens: wrote %llu lines to %s",
                           static_cast<unsigned long long>(stats.lines), o->out.c_str());
              if (stats.dropped) {
                std::fprintf(stderr, " (%llu events have no STD form: atomics, semaphores, ...)",
                             static_cast<unsigned long long>(stats.dropped));
              }
              std::fprintf(stderr, "\n");
            } else {
              uint64_t n = WriteBinary(*source, o->out);
              std::fprintf(stderr, "threadlens: wrote %llu events to %s\n",
                           static_cast<unsigned long long>(n), o->out.c_str());
            }
            for (const std::string& w : source->Warnings()) {
              std::fprintf(stderr, "threadlens: warning: %s\n", w.c_str());
            }
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
