// `threadlens confirm TRACE [--finding FP] [--attempts N] [--hold-ms M] -- PROGRAM [ARGS]`:
// makes a lock-order cycle (or a deadlock) of TRACE happen for real. It runs the program
// under the tracer with the schedule controller told the cycle's acquisition sites and length
// k: a thread that reaches one of them holding a lock waits there until k waiting threads
// each request what the next holds (tracer/src/confirm.h). When the cycle can happen, they
// then deadlock, the watchdog ends the run, and its trace is the proof. A race of an
// instrumented program is confirmed when two threads are held at its two accesses at once
// (confirm_race.h); a hang on a condition variable when the waiter, held back before its
// lock, hangs the same way.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"
#include "threadlens/analyzer/findings_json.h"

extern char** environ;

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string trace, finding, json;
  int attempts = 5;
  int hold_ms = 1000;
  double watchdog = 1;
  std::vector<std::string> command;
};

bool IsCycle(const Finding& f) {
  return (f.kind == "lock-order" || f.kind == "deadlock") && !f.cycle.empty();
}
bool IsRace(const Finding& f) { return f.kind == "race" && f.accesses.size() == 2; }
// A thread that waits for ever on a condition variable: a lost wakeup when its notification
// came first.
bool IsCondHang(const Finding& f) {
  return f.kind == "hang" && f.subkind == "cond" && !f.accesses.empty();
}

// The finding FINGERPRINT names, or the first cycle, else the first race, else the first
// hang on a condition variable.
const Finding* Choose(const Report& r, const std::string& fingerprint) {
  for (const Finding& f : r.findings) {
    if ((IsCycle(f) || IsRace(f) || IsCondHang(f)) && f.fingerprint == fingerprint) return &f;
  }
  if (!fingerprint.empty()) return nullptr;
  for (bool (*kind)(const Finding&) : {IsCycle, IsRace, IsCondHang}) {
    for (const Finding& f : r.findings) {
      if (kind(f)) return &f;
    }
  }
  return nullptr;
}

// "module+0xOFFSET" of a pc, as the controllers read it; "" outside every module.
std::string SiteName(uint64_t pc, const std::vector<ModuleInfo>& modules) {
  for (const ModuleInfo& m : modules) {
    if (pc < m.base || pc - m.base >= m.size) continue;
    char off[32];
    std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(pc - m.base));
    return fs::path(m.path).filename().string() + off;
  }
  return "";
}

// Where thread `tid` last took the mutex its last condition wait released, as SiteName names
// it ("" when unknown): delayed there, the thread comes to the wait after whoever notifies.
std::string WaitersLockSite(const std::string& trace, uint32_t tid) {
  auto source = OpenTrace(trace);
  std::map<uint64_t, uint64_t> taken;  // mutex -> site of the thread's latest acquisition
  uint64_t site = 0;
  StreamEvent e;
  while (source->Next(e)) {
    if (e.tid != tid) continue;
    const bool via_wait = e.ev.flags & trace::kViaCondWait;
    if (e.kind() == trace::EventKind::kLockAcquired && !via_wait) taken[e.ev.obj] = e.ev.site;
    if (e.kind() == trace::EventKind::kLockRelease && via_wait) {
      auto it = taken.find(e.ev.obj);
      site = it == taken.end() ? 0 : it->second;
    }
  }
  return site ? SiteName(site, source->Modules()) : "";
}

// "module+0xOFFSET" of each site, as the controllers read them; "" when one has no pc. With
// `once`, a site is named once: a cycle's edges often share one (every philosopher's second
// fork).
std::string Sites(const std::vector<const Access*>& sites, const std::vector<ModuleInfo>& modules,
                  bool once) {
  std::string out;
  std::vector<uint64_t> seen;
  for (const Access* a : sites) {
    if (a->stack.empty()) return "";
    const uint64_t pc = a->stack[0].pc;
    if (once && std::find(seen.begin(), seen.end(), pc) != seen.end()) continue;
    seen.push_back(pc);
    const std::string name = SiteName(pc, modules);
    if (name.empty()) return "";
    out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

// The cycle's acquisitions, or the race's two accesses.
std::vector<const Access*> SitesOf(const Finding& f) {
  std::vector<const Access*> out;
  if (IsRace(f)) {
    for (const Access& a : f.accesses) out.push_back(&a);
  } else {
    for (const CycleEdge& e : f.cycle) {
      if (!e.to_site.stack.empty()) out.push_back(&e.to_site);
    }
  }
  return out;
}

// Whether deadlock `d` of a steered run is the cycle `f`: as many threads, each blocked at
// one of the cycle's acquisition sites (`sites`, as Sites() names them).
bool SameCycle(const Finding& f, const std::string& sites, const Finding& d,
               const std::vector<ModuleInfo>& modules) {
  if (d.cycle.size() != f.cycle.size()) return false;
  auto split = [](const std::string& list) {
    std::set<std::string> out;
    std::stringstream in(list);
    for (std::string s; std::getline(in, s, ',');) out.insert(s);
    return out;
  };
  const std::string blocked = Sites(SitesOf(d), modules, true);
  if (blocked.empty()) return false;
  const std::set<std::string> mine = split(sites);
  for (const std::string& s : split(blocked)) {
    if (!mine.count(s)) return false;
  }
  return true;
}

// Runs `threadlens run` (this binary) on the program; returns its exit status.
int RunOnce(const Options& o, const std::string& trace) {
  std::vector<std::string> args = {"threadlens", "run", "--watchdog", std::to_string(o.watchdog),
                                   "--trace",    trace, "--"};
  args.insert(args.end(), o.command.begin(), o.command.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0) {
    throw Error("confirm: cannot start threadlens run", kExitInternal);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// With --json: TRACE's report, the chosen finding marked confirmed or not.
void WriteVerdict(const Options& o, Report r, const std::string& fingerprint, bool confirmed,
                  const std::string& trace) {
  if (o.json.empty()) return;
  for (Finding& f : r.findings) {
    if (f.fingerprint != fingerprint) continue;
    f.confirmed = confirmed;
    f.confirmed_trace = confirmed ? trace : "";
  }
  std::ofstream out(o.json, std::ios::trunc);
  out << ToJson(r, 2) << "\n";
  if (!out) throw Error("confirm: cannot write " + o.json, kExitInternal);
}

// A hang on a condition variable: the waiter is delayed once, before it takes the mutex it
// waits with, so that the notifier goes first. If the wait depends on the notification's
// order (no predicate checked under the mutex), the run hangs the same way.
int ConfirmLostWakeup(const Options& o, const Report& r, const Finding& f) {
  const std::string site = WaitersLockSite(o.trace, f.accesses[0].tid);
  if (site.empty()) {
    throw Error("confirm: the waiter's lock has no program counter (an STD or imported trace): "
                "nothing to steer");
  }
  std::fprintf(stderr, "threadlens confirm: %s [%s]\n", f.title.c_str(), f.fingerprint.c_str());
  unsetenv("THREADLENS_CONFIRM");
  unsetenv("THREADLENS_CONFIRM_RACE");
  setenv("THREADLENS_CONFIRM_DELAY", (site + ";" + std::to_string(o.hold_ms)).c_str(), 1);
  const std::string base = (fs::path(o.trace).parent_path() / fs::path(o.trace).stem()).string();
  const std::string trace = base + ".confirm.tltrace";
  for (int k = 1; k <= o.attempts; ++k) {
    RunOnce(o, trace);
    Report run;
    try {
      run = AnalyzeFile(trace, AnalyzeOptions{});
    } catch (const Error&) {
      continue;
    }
    for (const Finding& g : run.findings) {
      if (g.fingerprint != f.fingerprint) continue;
      std::fprintf(stderr, "threadlens confirm: CONFIRMED on attempt %d of %d: %s\n", k,
                   o.attempts, g.title.c_str());
      std::fprintf(stderr, "threadlens confirm: the hang's trace is %s\n", trace.c_str());
      WriteVerdict(o, r, f.fingerprint, true, trace);
      return 0;
    }
  }
  std::fprintf(stderr,
               "threadlens confirm: not confirmed in %d attempts: with the waiter held back "
               "%d ms before its lock, no run hung the same way (the wait may check its "
               "condition)\n",
               o.attempts, o.hold_ms);
  WriteVerdict(o, r, f.fingerprint, false, "");
  return kExitFindings;
}

int Confirm(const Options& o) {
  Report r = AnalyzeFile(o.trace, AnalyzeOptions{});
  const Finding* f = Choose(r, o.finding);
  if (!f && !o.finding.empty()) {
    // A predicted finding (analyze --predict): only the prediction reports it.
    AnalyzeOptions predict;
    predict.predict = true;
    r = AnalyzeFile(o.trace, predict);
    f = Choose(r, o.finding);
  }
  if (!f) {
    throw Error("confirm: " + o.trace +
                " has no lock-order cycle, deadlock, race or hang on a condition variable" +
                (o.finding.empty() ? std::string() : " with fingerprint " + o.finding));
  }
  if (IsCondHang(*f)) return ConfirmLostWakeup(o, r, *f);
  const bool race = IsRace(*f);
  const std::string sites = Sites(SitesOf(*f), OpenTrace(o.trace)->Modules(), !race);
  if (sites.empty()) {
    throw Error(std::string("confirm: the ") + (race ? "race's accesses" : "cycle's acquisitions") +
                " have no program counters (an STD or imported trace): nothing to steer");
  }
  std::fprintf(stderr, "threadlens confirm: %s [%s]\n", f->title.c_str(), f->fingerprint.c_str());
  const std::string fingerprint = f->fingerprint;
  const std::string base = (fs::path(o.trace).parent_path() / fs::path(o.trace).stem()).string();
  const std::string verdict = base + ".confirm.verdict";
  if (race) {
    unsetenv("THREADLENS_CONFIRM");
    setenv("THREADLENS_CONFIRM_RACE",
           (sites + ";" + std::to_string(o.hold_ms) + ";" + fs::absolute(verdict).string()).c_str(),
           1);
  } else {
    unsetenv("THREADLENS_CONFIRM_RACE");
    // The cycle's length: a shorter cycle of the same sites is another finding.
    const std::string k = std::to_string(f->cycle.size());
    setenv("THREADLENS_CONFIRM", (sites + ";" + std::to_string(o.hold_ms) + ";" + k).c_str(), 1);
  }
  for (int k = 1; k <= o.attempts; ++k) {
    const std::string trace = base + ".confirm.tltrace";
    std::error_code ec;
    fs::remove(verdict, ec);
    RunOnce(o, trace);
    if (race) {
      const bool met = fs::exists(verdict);
      std::string value, bytes;
      if (met) {
        std::ifstream in(verdict);
        std::string word;
        while (in >> word) {
          if (word == "value") in >> value >> bytes;
        }
      }
      fs::remove(verdict, ec);
      if (!met) continue;
      std::fprintf(stderr,
                   "threadlens confirm: CONFIRMED on attempt %d of %d: both accesses were about "
                   "to happen at once, in two threads\n",
                   k, o.attempts);
      if (!value.empty()) {
        std::fprintf(stderr,
                     "threadlens confirm: the %s bytes held %s then: what a read sees if it goes "
                     "first, whichever thread that is\n",
                     bytes.c_str(), value.c_str());
      }
      std::fprintf(stderr, "threadlens confirm: that run's trace is %s\n", trace.c_str());
      WriteVerdict(o, r, fingerprint, true, trace);
      return 0;
    }
    Report run;
    try {
      run = AnalyzeFile(trace, AnalyzeOptions{});
    } catch (const Error&) {
      continue;  // the program did not start or the trace is damaged: try again
    }
    for (const Finding& d : run.findings) {
      if (d.kind != "deadlock") continue;
      // Only this cycle's deadlock counts: its threads blocked at the cycle's own sites.
      if (!SameCycle(*f, sites, d, OpenTrace(trace)->Modules())) {
        std::fprintf(stderr,
                     "threadlens confirm: attempt %d of %d deadlocked elsewhere, not on this "
                     "cycle: %s\n",
                     k, o.attempts, d.title.c_str());
        continue;
      }
      std::fprintf(stderr, "threadlens confirm: CONFIRMED on attempt %d of %d: %s\n", k, o.attempts,
                   d.title.c_str());
      std::fprintf(stderr, "threadlens confirm: the deadlock's trace is %s\n", trace.c_str());
      WriteVerdict(o, r, fingerprint, true, trace);
      return 0;
    }
  }
  std::fprintf(stderr,
               race ? "threadlens confirm: not confirmed in %d attempts: no run had two threads "
                      "at the two accesses at once. The race stands: happens-before found "
                      "nothing that orders them. These runs may not have reached both at "
                      "once (more --attempts, or another input, may); only an ordering the "
                      "trace cannot show (a plain-variable flag spin) would make it safe\n"
                    : "threadlens confirm: not confirmed in %d attempts: no run had a thread "
                      "at each of the cycle's acquisitions at once, each holding the lock the "
                      "next requests (a gate lock or an ordering may prevent it)\n",
               o.attempts);
  WriteVerdict(o, r, fingerprint, false, "");
  return 1;
}

}  // namespace

Command AddConfirm(CLI::App& app) {
  auto* sub =
      app.add_subcommand("confirm",
                         "Make a lock-order cycle, deadlock or race of a trace happen for real, by "
                         "steering the program's threads (threadlens confirm TRACE -- PROG ARGS)");
  auto o = std::make_shared<Options>();
  sub->add_option("trace", o->trace, "The trace whose cycle or race to confirm")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option(
      "--finding", o->finding,
      "Fingerprint of the finding (default: the first lock-order cycle or deadlock, else "
      "the first race, else the first hang on a condition variable)");
  sub->add_option("--attempts", o->attempts, "Runs to try")
      ->default_val(5)
      ->check(CLI::Range(1, 1000));
  sub->add_option("--hold-ms", o->hold_ms,
                  "How long a thread at a cycle's acquisition waits for the cycle to close")
      ->default_val(1000)
      ->check(CLI::Range(1, 600000));
  sub->add_option("--json", o->json,
                  "Write TRACE's findings as JSON, the finding marked confirmed (or not), for "
                  "check --require-confirmed");
  sub->add_option("--watchdog", o->watchdog, "Watchdog delay of each run, in seconds")
      ->default_val(1);
  sub->add_option("command", o->command, "The program and its arguments (after --)")->required();
  sub->footer(
      "Exit status: 0 when a run deadlocked on the cycle, had two threads at the race's "
      "accesses at once, or hung the same way (its trace is kept as TRACE.confirm.tltrace), 1 "
      "when no attempt did, 2 on bad input.");
  return {sub, [o]() -> int {
            UseVerbatimCommand(o->command);
            return Confirm(*o);
          }};
}

}  // namespace threadlens::cli
