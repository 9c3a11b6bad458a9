// `threadlens run [--trace FILE] [--watchdog S] [--timeout S] [--max-trace-size N]
// [--compress | --no-compress] [--schedule pct --seed S [--depth D] [--steps K]]
// -- PROGRAM [ARGS]`: runs an unmodified program with the tracer runtime preloaded, passes its
// stdin/stdout through and its exit status back, then prints a one-line summary of the
// trace to stderr.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/elf_probe.h"
#include "threadlens/analyzer/event_source.h"
#include "tracer_launch.h"

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

// Exit status of a run --timeout ended (the runtime's kTimeoutExitCode).
constexpr int kTimeoutExit = 87;
// Seconds past --timeout before the runner kills what the runtime did not end.
constexpr double kTimeoutGrace = 5;

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// Resolves PROGRAM as execvp would, so a missing or non-executable program is reported
// before anything starts.
std::string ResolveProgram(const std::string& prog) {
  auto check = [&](const std::string& p) -> bool {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) throw Error("run: " + prog + " is a directory, not a program");
    if (::access(p.c_str(), X_OK) != 0) {
      throw Error("run: " + prog + " is not executable (chmod +x it, or check the path)");
    }
    return true;
  };
  if (prog.find('/') != std::string::npos) {
    if (!check(prog)) throw Error("run: " + prog + ": no such file");
    return prog;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string cand = dir + "/" + prog;
    struct stat st {};
    if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(cand.c_str(), X_OK) == 0) {
      return cand;
    }
    start = end + 1;
  }
  throw Error("run: " + prog + ": program not found (give its path, e.g. ./" + prog +
              ", or add its folder to PATH)");
}

struct Summary {
  size_t threads = 0;
  size_t locks = 0;
  uint64_t events = 0;
  bool watchdog = false;
  std::string watchdog_reason;
};

// `one_file`: no child process wrote a trace beside it. A cleanly closed trace is counted
// from its block headers and end record; any other is read whole (and its warnings given).
Summary Summarize(const std::string& trace, bool one_file) {
  Summary s;
  if (one_file) {
    if (const auto c = CountClosedTrace(trace)) {
      s.threads = c->threads;
      s.locks = c->locks;
      s.events = c->events;
      return s;
    }
  }
  std::set<uint32_t> threads;
  std::set<uint64_t> locks;
  auto src = OpenTrace(trace);
  StreamEvent se;
  while (src->Next(se)) {
    ++s.events;
    if (se.tid != 0) threads.insert(se.tid);
    if (trace::NamesLock(se.kind())) locks.insert(se.ev.obj);
    if (se.kind() != trace::EventKind::kWatchdogFired) continue;
    s.watchdog = true;
    switch (static_cast<trace::WatchdogReason>(se.ev.flags)) {
      case trace::WatchdogReason::kLockCycle:
      case trace::WatchdogReason::kPipeDeadlock:
        s.watchdog_reason = "deadlock";
        break;
      case trace::WatchdogReason::kSelfDeadlock:
        s.watchdog_reason = "self-deadlock";
        break;
      case trace::WatchdogReason::kAllBlocked:
        s.watchdog_reason = "hang";
        break;
      case trace::WatchdogReason::kTimeout:
        s.watchdog_reason = "timeout";
        break;
    }
  }
  s.threads = threads.size();
  s.locks = locks.size();
  s.watchdog = s.watchdog || src->Meta().watchdog;
  for (const auto& w : src->Warnings())
    std::fprintf(stderr, "threadlens: warning: %s\n", w.c_str());
  return s;
}

// Traces written by descendants (fork, exec): BASE.PID[.N] beside BASE.
std::vector<std::string> ChildTraces(const std::string& base) {
  std::vector<std::string> out;
  fs::path b(base);
  std::string prefix = b.filename().string() + ".";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(b.parent_path(), ec)) {
    std::string n = e.path().filename().string();
    if (n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
        std::isdigit(static_cast<unsigned char>(n[prefix.size()]))) {
      out.push_back(e.path().string());
    }
  }
  return out;
}

struct Options {
  std::string trace;
  double watchdog = 2;
  double timeout = 0;
  std::string max_trace_size = "4G";
  bool compress = false, no_compress = false;
  std::string schedule;  // "" or "pct"
  uint64_t seed = 0;
  int depth = 3;
  uint64_t steps = 100;
  std::vector<std::string> command;
};

// "4G", "500M", "64K", "1000000"; 0 = no cap.
uint64_t ParseSize(const std::string& text) {
  size_t end = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &end);
  } catch (const std::exception&) {
    end = std::string::npos;
  }
  uint64_t unit = 1;
  if (end != std::string::npos && end + 1 == text.size()) {
    switch (text[end]) {
      case 'K': case 'k': unit = 1ull << 10; break;
      case 'M': case 'm': unit = 1ull << 20; break;
      case 'G': case 'g': unit = 1ull << 30; break;
      default: end = std::string::npos;
    }
    if (end != std::string::npos) ++end;
  }
  if (end != text.size() || text[0] == '-' || n > UINT64_MAX / unit) {
    throw Error("run: --max-trace-size takes bytes with an optional K, M or G (e.g. 4G; 0 = "
                "no cap), not '" + text + "'");
  }
  return n * unit;
}

// Holds an exclusive lock on the trace file for the run, so that a second `threadlens run`
// on the same path refuses instead of writing into the same file. The file is truncated by
// the runtime, never replaced, so every run locks the same inode.
class TraceLock {
 public:
  explicit TraceLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error("run: cannot write the trace " + path + ": " + std::strerror(errno) +
                  " (give a writable --trace FILE)");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw Error("run: " + path + " is being written by another threadlens run; give this "
                  "run its own --trace FILE");
    }
  }
  ~TraceLock() { ::close(fd_); }
  TraceLock(const TraceLock&) = delete;
  TraceLock& operator=(const TraceLock&) = delete;

 private:
  int fd_ = -1;
};

bool HasTrace(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// The header's flags (trace_format.h), read directly: the reader's metadata has no
// `truncated`.
uint32_t HeaderFlags(const std::string& p) {
  uint32_t flags = 0;
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  if (::pread(fd, &flags, sizeof flags, offsetof(trace::FileHeader, flags)) != sizeof flags) {
    flags = 0;
  }
  ::close(fd);
  return flags;
}

int Run(const Options& o) {
  if (o.command.empty())
    throw Error("run: give the program to run: threadlens run -- PROGRAM [ARGS]");
  if (o.watchdog < 0) throw Error("run: --watchdog takes seconds >= 0 (0 turns it off)");
  if (o.timeout < 0) throw Error("run: --timeout takes seconds >= 0 (0: no limit)");
  std::string program = ResolveProgram(o.command[0]);
  if (HasTsanRuntime(program)) {
    throw Error("run: " + o.command[0] + " is built with -fsanitize=thread, whose runtime cannot "
                "run beside the tracer's: run it as `threadlens tsan -- " + o.command[0] +
                "`, or build it with threadlens-c++ / threadlens-cc for `threadlens run`");
  }
  std::string preload = FindPreload();
  std::string trace = o.trace;
  if (trace.empty()) trace = fs::path(o.command[0]).filename().string() + ".tltrace";
  trace = fs::absolute(trace).string();
  const uint64_t max_size = ParseSize(o.max_trace_size);
  std::string schedule;
  if (o.schedule == "pct") {
    schedule = PctSchedule(o.seed, o.depth, o.steps);
  } else if (!o.schedule.empty()) {
    throw Error("run: --schedule takes pct (the only schedule there is), not '" + o.schedule + "'");
  }

  TraceLock lock(trace);
  // Old traces of children from an earlier run would be confusing; the trace itself is
  // truncated when the program starts (an empty file: the runtime did not load).
  std::error_code ec;
  for (const auto& old : ChildTraces(trace)) fs::remove(old, ec);
  if (::truncate(trace.c_str(), 0) != 0) {
    throw Error("run: cannot write the trace " + trace + ": " + std::strerror(errno));
  }

  TracedRun run;
  run.program = program;
  run.args = o.command;
  run.preload = preload;
  run.trace = trace;
  run.watchdog = o.watchdog;
  run.time_limit = o.timeout;
  // Should the runtime not end the program (not loaded, or stuck itself), the whole
  // process group is killed a little later.
  if (o.timeout > 0) run.timeout = o.timeout + kTimeoutGrace;
  run.max_trace_size = max_size;
  run.compress = o.compress      ? TracedRun::Compress::kAlways
                 : o.no_compress ? TracedRun::Compress::kNever
                                 : TracedRun::Compress::kAuto;
  run.schedule = schedule;
  TracedExit exit = RunTraced(run);
  // The runtime may have written to our stderr through a file description of its own
  // (THREADLENS_TERMINAL): continue after it, not over it.
  struct stat err_st {};
  if (::fstat(2, &err_st) == 0 && S_ISREG(err_st.st_mode)) ::lseek(2, 0, SEEK_END);

  int code = exit.status;
  std::string how;
  if (exit.timed_out) {
    code = kTimeoutExit;
    how = "; killed after --timeout " + FormatSeconds(o.timeout) + " s plus " +
          FormatSeconds(kTimeoutGrace) + " s: the runtime did not end it";
  }
  if (exit.signal == 0) {
    if (code == 127 && !HasTrace(trace)) {  // exec failed, already said
      fs::remove(trace, ec);
      return kExitBadInput;
    }
  } else if (!exit.timed_out) {
    how = std::string("; program killed by signal ") + std::to_string(exit.signal) + " (" +
          strsignal(exit.signal) + ")";
  }

  if (!HasTrace(trace)) {
    fs::remove(trace, ec);
    std::fprintf(stderr,
                 "threadlens: no trace written to %s: the runtime did not load (a statically "
                 "linked or setuid program cannot be traced by preloading)%s\n",
                 trace.c_str(), how.c_str());
    return code;
  }
  try {
    const auto kids = ChildTraces(trace);
    Summary s = Summarize(trace, kids.empty());
    std::string wd =
        s.watchdog ? "watchdog fired" + (s.watchdog_reason.empty() ? std::string()
                                                                   : " (" + s.watchdog_reason + ")")
                   : std::string("watchdog did not fire");
    if (o.watchdog == 0) wd = "watchdog off";
    std::string children;
    if (!kids.empty()) {
      children = "; " + std::to_string(kids.size()) + " more trace(s) from child processes (" +
                 fs::path(kids[0]).filename().string() + (kids.size() > 1 ? ", ..." : "") + ")";
    }
    if (HeaderFlags(trace) & trace::kHeaderTruncated) wd += "; trace stopped early (see above)";
    if (!schedule.empty()) {
      wd += "; schedule pct seed " + std::to_string(o.seed) + " depth " +
            std::to_string(o.depth) + " steps " + std::to_string(o.steps);
    }
    std::fprintf(
        stderr, "threadlens: %s: %zu threads, %zu locks, %llu events; %s; exit status %d%s%s\n",
        fs::relative(trace).string().c_str(), s.threads, s.locks,
        static_cast<unsigned long long>(s.events), wd.c_str(), code, how.c_str(), children.c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "threadlens: trace %s is unreadable: %s\n", trace.c_str(), e.what());
  }
  return code;
}

}  // namespace

Command AddRun(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "run", "Run a program under the tracer and write its trace (threadlens run -- PROG ARGS)");
  auto o = std::make_shared<Options>();
  sub->add_option("--trace,-o", o->trace,
                  "Trace file to write (default: PROGRAM.tltrace in the current folder)");
  sub->add_option("--watchdog", o->watchdog,
                  "Seconds all threads may stay blocked before the watchdog ends the program "
                  "(0 = off)")
      ->default_val(2);
  sub->add_option("--timeout", o->timeout,
                  "Seconds after which the program is ended whatever it does, with every "
                  "thread's state in the trace and a `timeout` finding (0 = no limit)")
      ->default_val(0);
  sub->add_option("--max-trace-size", o->max_trace_size,
                  "Largest trace to write, in bytes with an optional K, M or G (0 = no cap); "
                  "past it the program runs on untraced")
      ->default_val("4G");
  auto* compress = sub->add_flag(
      "--compress", o->compress,
      "Compress every event block with zstd (about 8x smaller for memory-heavy programs; "
      "the program runs up to a third slower). By default blocks are compressed once the "
      "trace passes 256 MiB");
  sub->add_flag("--no-compress", o->no_compress, "Never compress the trace")->excludes(compress);
  auto* schedule = sub->add_option("--schedule", o->schedule,
                                   "Serialize the threads under a PCT schedule (pct), as one "
                                   "run of `threadlens stress` does: replays that run");
  sub->add_option("--seed", o->seed, "Seed of the schedule")->needs(schedule);
  sub->add_option("--depth", o->depth, "PCT depth: priority change points + 1")
      ->default_val(3)
      ->check(CLI::Range(1, 64))
      ->needs(schedule);
  sub->add_option("--steps", o->steps,
                  "Steps (synchronization operations) among which the change points fall")
      ->default_val(100)
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->needs(schedule);
  sub->add_option("command", o->command, "The program and its arguments (after --)")->required();
  sub->positionals_at_end();
  sub->footer(
      "Exit status: the program's own; 86 when the watchdog ended a deadlocked or hung "
      "program; 87 when --timeout ended it; 128+N when a signal N killed it; 2 when the program is missing, not "
      "executable, or built with -fsanitize=thread (run that one with `threadlens tsan`).");
  return {sub, [o]() -> int {
            UseVerbatimCommand(o->command);
            return Run(*o);
          }};
}

}  // namespace threadlens::cli
