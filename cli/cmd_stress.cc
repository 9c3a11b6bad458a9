// `threadlens stress -n N [--seed S] [--depth D] [--steps K] [--out DIR] [--json F] --
// PROGRAM [ARGS]`: runs the program N times under PCT schedules (tracer/src/schedule.h)
// with seeds S, S+1, ..., analyzes each run's trace, and merges the findings by
// fingerprint: each with the seeds that found it, first seed first. A run's schedule
// replays with `threadlens run --schedule pct --seed SEED --depth D --steps K`.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"
#include "tracer_launch.h"

extern char** environ;

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  int runs = 100;
  uint64_t seed = 1;
  int depth = 3;
  uint64_t steps = 0;  // 0: estimated from a plain run
  std::string out, json;
  double watchdog = 1;
  double timeout = 60;
  std::vector<std::string> command;
};

struct Merged {
  Finding finding;  // as the first run that found it reported it
  std::vector<uint64_t> seeds;
  std::string trace;  // the kept trace of the first run that found it
};

std::string Quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}~#!") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string ShellLine(const std::vector<std::string>& command) {
  std::string s;
  for (const std::string& a : command) s += " " + Quote(a);
  return s;
}

// Runs `threadlens run` (this binary) with the program's output and the run's summary in
// `log`; returns its exit status.
int RunOnce(const Options& o, const std::string& trace, const std::string& log,
            const std::vector<std::string>& schedule) {
  char watchdog[32], timeout[32];
  std::snprintf(watchdog, sizeof watchdog, "%g", o.watchdog);
  std::snprintf(timeout, sizeof timeout, "%g", o.timeout);
  std::vector<std::string> args = {"threadlens", "run",   "--watchdog", watchdog,
                                   "--timeout",  timeout, "--trace",    trace};
  args.insert(args.end(), schedule.begin(), schedule.end());
  args.push_back("--");
  args.insert(args.end(), o.command.begin(), o.command.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  pid_t pid;
  const int err = posix_spawn(&pid, "/proc/self/exe", &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (err != 0) throw Error("stress: cannot start threadlens run", kExitInternal);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The last line of a run's log: `threadlens run`'s own message when the program did not start.
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// The synchronization operations of the program's threads: the steps of a schedule.
uint64_t CountSteps(const std::string& trace) {
  using trace::EventKind;
  auto src = OpenTrace(trace);
  StreamEvent se;
  uint64_t n = 0;
  while (src->Next(se)) {
    if (se.tid == 0) continue;
    const bool via_cond = se.ev.flags & trace::kViaCondWait;
    switch (se.kind()) {
      case EventKind::kLockAcquired:
      case EventKind::kLockRelease:
        n += !via_cond;
        break;
      case EventKind::kLockTryFailed:
      case EventKind::kCondWaitBegin:
      case EventKind::kCondSignal:
      case EventKind::kCondBroadcast:
      case EventKind::kSemWaitBegin:
      case EventKind::kSemPost:
      case EventKind::kThreadCreate:
      case EventKind::kThreadJoinBegin:
        ++n;
        break;
      default:
        break;
    }
  }
  return n;
}

void WriteJson(const Options& o, const std::vector<const Merged*>& found) {
  nlohmann::ordered_json j;
  j["command"] = o.command;
  j["runs"] = o.runs;
  j["seed"] = o.seed;
  j["depth"] = o.depth;
  j["steps"] = o.steps;
  j["findings"] = nlohmann::ordered_json::array();
  for (const Merged* m : found) {
    j["findings"].push_back({{"fingerprint", m->finding.fingerprint},
                             {"kind", m->finding.kind},
                             {"severity", SeverityName(m->finding.severity)},
                             {"title", m->finding.title},
                             {"runs", m->seeds.size()},
                             {"seeds", m->seeds},
                             {"trace", m->trace}});
  }
  std::ofstream out(o.json, std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) throw Error("stress: cannot write " + o.json, kExitInternal);
}

int Stress(Options o) {
  const std::string dir =
      o.out.empty() ? fs::path(o.command[0]).filename().string() + ".stress" : o.out;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("stress: cannot create " + dir + ": " + ec.message());
  // Traces of an earlier stress in the same folder would be taken for this one's.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("seed-", 0) == 0 || n.rfind("run.", 0) == 0 || n.rfind("plain.", 0) == 0) {
      fs::remove(e.path(), ec);
    }
  }
  const std::string trace = dir + "/run.tltrace", log = dir + "/run.log";

  if (o.steps == 0) {  // PCT's k: a plain run's number of synchronization operations
    const std::string plain = dir + "/plain.tltrace", plain_log = dir + "/plain.log";
    const int status = RunOnce(o, plain, plain_log, {});
    if (!fs::exists(plain) || fs::file_size(plain) == 0) {
      throw Error("stress: the program did not run under the tracer (exit status " +
                  std::to_string(status) + "): " + LastLine(plain_log));
    }
    o.steps = std::max<uint64_t>(1, CountSteps(plain));
    fs::remove(plain, ec);
    fs::remove(plain_log, ec);
    std::fprintf(stderr,
                 "threadlens stress: %llu steps per run (a plain run's synchronization "
                 "operations)\n",
                 static_cast<unsigned long long>(o.steps));
  }

  std::map<std::string, Merged> merged;
  std::vector<const Merged*> order;  // first found first
  int watchdog_runs = 0, unreadable = 0;
  for (int i = 0; i < o.runs; ++i) {
    const uint64_t seed = o.seed + static_cast<uint64_t>(i);
    const int status = RunOnce(o, trace, log,
                               {"--schedule", "pct", "--seed", std::to_string(seed), "--depth",
                                std::to_string(o.depth), "--steps", std::to_string(o.steps)});
    if (status == 2 && (!fs::exists(trace) || fs::file_size(trace) == 0)) {
      throw Error("stress: the program did not start: " + LastLine(log));
    }
    watchdog_runs += status == 86 || status == 87;
    Report r;
    try {
      r = AnalyzeFile(trace, AnalyzeOptions{.contention = false});
    } catch (const Error& e) {
      ++unreadable;
      std::fprintf(stderr, "threadlens stress: seed %llu: trace unreadable: %s\n",
                   static_cast<unsigned long long>(seed), e.what());
      continue;
    }
    bool fresh = false;
    for (const Finding& f : r.findings) {
      auto [it, added] = merged.try_emplace(f.fingerprint);
      Merged& m = it->second;
      if (!m.seeds.empty() && m.seeds.back() == seed) continue;  // one count per run
      m.seeds.push_back(seed);
      if (!added) continue;
      m.finding = f;
      m.trace = dir + "/seed-" + std::to_string(seed) + ".tltrace";
      order.push_back(&m);
      fresh = true;
      std::fprintf(stderr, "threadlens stress: seed %llu (run %d of %d): %s [%s]\n",
                   static_cast<unsigned long long>(seed), i + 1, o.runs, f.title.c_str(),
                   f.fingerprint.c_str());
    }
    // Bounded output: only the runs that found something first keep their trace.
    if (fresh) {
      const std::string kept = dir + "/seed-" + std::to_string(seed);
      fs::rename(trace, kept + ".tltrace", ec);
      fs::rename(log, kept + ".log", ec);
    }
  }
  fs::remove(trace, ec);
  fs::remove(log, ec);

  bool fails = false;
  std::printf("threadlens stress: %d runs, seeds %llu..%llu, depth %d, %llu steps:%s\n", o.runs,
              static_cast<unsigned long long>(o.seed),
              static_cast<unsigned long long>(o.seed + o.runs - 1), o.depth,
              static_cast<unsigned long long>(o.steps), order.empty() ? " no findings" : "");
  for (const Merged* m : order) {
    fails |= m->finding.severity == Severity::kError;
    std::printf("\n%s %s: %s [%s]\n", SeverityName(m->finding.severity), m->finding.kind.c_str(),
                m->finding.title.c_str(), m->finding.fingerprint.c_str());
    std::printf("  found in %zu of %d runs; seeds", m->seeds.size(), o.runs);
    for (size_t k = 0; k < m->seeds.size() && k < 20; ++k) {
      std::printf(" %llu", static_cast<unsigned long long>(m->seeds[k]));
    }
    std::printf("%s\n", m->seeds.size() > 20 ? " ..." : "");
    std::printf(
        "  replay: threadlens run --schedule pct --seed %llu --depth %d --steps %llu --%s\n",
        static_cast<unsigned long long>(m->seeds[0]), o.depth,
        static_cast<unsigned long long>(o.steps), ShellLine(o.command).c_str());
    std::printf("  trace:  %s\n", m->trace.c_str());
  }
  if (watchdog_runs || unreadable) {
    std::printf("\n%d run(s) ended by the watchdog or the time limit; %d trace(s) unreadable\n",
                watchdog_runs, unreadable);
  }
  if (!o.json.empty()) WriteJson(o, order);
  return fails ? 1 : 0;
}

}  // namespace

Command AddStress(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "stress",
      "Run a program many times under random PCT schedules and merge what the runs "
      "found (threadlens stress -n 100 -- PROG ARGS)");
  auto o = std::make_shared<Options>();
  sub->add_option("-n,--runs", o->runs, "Runs")->default_val(100)->check(CLI::Range(1, 1000000));
  sub->add_option("--seed", o->seed, "Seed of the first run; run i uses SEED+i")->default_val(1);
  sub->add_option("--depth", o->depth,
                  "PCT depth: bugs that need up to DEPTH-1 preemptions are in reach")
      ->default_val(3)
      ->check(CLI::Range(1, 64));
  sub->add_option("--steps", o->steps,
                  "Steps of a run (synchronization operations) among which the priority "
                  "changes fall (default: counted in a plain run first)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  sub->add_option("--out", o->out,
                  "Folder for the kept traces: one per finding, from the first run that found "
                  "it (default: PROGRAM.stress)");
  sub->add_option("--json", o->json, "Also write the merged findings, with their seeds, as JSON");
  sub->add_option("--watchdog", o->watchdog, "Watchdog delay of each run, in seconds")
      ->default_val(1)
      ->check(CLI::PositiveNumber);
  sub->add_option("--timeout", o->timeout, "Time limit of each run, in seconds")
      ->default_val(60)
      ->check(CLI::PositiveNumber);
  sub->add_option("command", o->command, "The program and its arguments (after --)")->required();
  sub->positionals_at_end();
  sub->footer(
      "Exit status: 1 when a run found an error-severity finding, 0 when none did, 2 on bad "
      "usage or a program that does not start.");
  return {sub, [o]() -> int {
            UseVerbatimCommand(o->command);
            return Stress(*o);
          }};
}

}  // namespace threadlens::cli
