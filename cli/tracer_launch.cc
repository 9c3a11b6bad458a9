// Running a program under the tracer (see tracer_launch.h).
#include "tracer_launch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string_view>
#include <thread>

#include "threadlens/analyzer/error.h"
#include "threadlens/recording.h"

extern char** environ;

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPreloadName = "libthreadlens_preload.so";

std::string SelfDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

bool IsFile(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The caller's environment with the tracer's variables set. Built before fork, so the child
// only execs.
// The recording's shared memory (threadlens/recording.h), made before the program starts
// and kept here, so that the runner knows when the last process of the tree closed its trace.
class Recording {
 public:
  Recording() {
    int fd = static_cast<int>(::syscall(SYS_memfd_create, "threadlens-recording", MFD_CLOEXEC));
    if (fd < 0) return;
    void* p = MAP_FAILED;
    if (::ftruncate(fd, trace::kRecordingBytes) == 0) {
      p = ::mmap(nullptr, trace::kRecordingBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (p == MAP_FAILED) {
      ::close(fd);
      return;
    }
    fd_ = fd;
    shared_ = static_cast<trace::SharedRecording*>(p);
    uint64_t id = 0;
    if (::getrandom(&id, sizeof id, 0) != sizeof id) {
      id = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    shared_->recording = id ? id : 1;
    shared_->tokens.store(1);
    shared_->magic = trace::kRecordingMagic;
  }
  ~Recording() {
    if (shared_) ::munmap(shared_, trace::kRecordingBytes);
    if (fd_ >= 0) ::close(fd_);
  }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  // In the program's environment; the child moves the fd to kFd before exec.
  void AddTo(std::vector<std::string>& env) const {
    if (!shared_) return;
    char id[32];
    std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(shared_->recording));
    env.push_back(std::string("THREADLENS_RECORDING=") + id);
    env.push_back("THREADLENS_SHARED_FD=" + std::to_string(kFd));
    // For a process that closed kFd before an exec: ours, by path (we outlive the tree).
    env.push_back("THREADLENS_SHARED_PATH=/proc/" + std::to_string(::getpid()) + "/fd/" +
                  std::to_string(fd_));
  }
  // In the child, before exec: the fd at its number, kept across exec.
  void Inherit() const {
    if (fd_ >= 0) ::dup2(fd_, kFd);
  }
  // After the program ended: its descendants still closing their traces (a watchdog ending
  // each process of a deadlock) get up to `seconds` to do so.
  void WaitForTree(double seconds) const {
    if (!shared_) return;
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int idle = 0;  // polls in a row that saw no live process in the table
    while (shared_->live.load() > 0 && std::chrono::steady_clock::now() < until) {
      // A killed process never closes its trace: the count stays up, its pid is gone.
      idle = AnyAlive() ? 0 : idle + 1;
      if (idle >= 4) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

 private:
  bool AnyAlive() const {
    for (const trace::ProcessLocks& p : shared_->processes) {
      const auto pid = static_cast<pid_t>(p.pid.load());
      if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) return true;
    }
    return false;
  }

  static constexpr int kFd = 720;  // where the runtime's fds are, above the program's
  int fd_ = -1;
  trace::SharedRecording* shared_ = nullptr;
};

// The other processes' traces of an earlier recording at the same path (BASE.PID...): they
// would sit beside this one's and be refused as another recording's.
void RemoveChildTraces(const std::string& base) {
  const fs::path b(base);
  const std::string prefix = b.filename().string() + ".";
  std::error_code ec;
  std::vector<fs::path> old;
  for (const auto& e : fs::directory_iterator(b.has_parent_path() ? b.parent_path() : ".", ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
        n.find_first_not_of("0123456789.", prefix.size()) == std::string::npos) {
      old.push_back(e.path());
    }
  }
  for (const fs::path& p : old) fs::remove(p, ec);
}

std::vector<std::string> TracedEnvironment(const TracedRun& run) {
  std::string ld_preload = run.preload;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old)
    ld_preload += std::string(":") + old;
  char watchdog[32];
  std::snprintf(watchdog, sizeof watchdog, "%g", run.watchdog);

  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view v(*e);
    // THREADLENS_TRACE_OWNER marks a process whose trace is already open: a traced program
    // that runs `threadlens run` must not hand its own to the child.
    bool replaced = false;
    for (const char* name :
         {"LD_PRELOAD=", "THREADLENS_TRACE=", "THREADLENS_WATCHDOG=", "THREADLENS_TRACE_OWNER=",
          "THREADLENS_MAX_TRACE_SIZE=", "THREADLENS_TERMINAL=", "THREADLENS_TIMEOUT=",
          "THREADLENS_SCHEDULE=", "THREADLENS_SHARED_FD=", "THREADLENS_RECORDING=",
          "THREADLENS_EXEC_PID=", "THREADLENS_SHARED_PATH="}) {
      replaced = replaced || v.substr(0, std::strlen(name)) == name;
    }
    if (!replaced) env.emplace_back(v);
  }
  env.push_back("THREADLENS_TRACE=" + run.trace);
  env.push_back(std::string("THREADLENS_WATCHDOG=") + watchdog);
  // Our stderr, for the runtime's messages once the program has closed or redirected its
  // own (we outlive the program, so the path stays valid).
  env.push_back("THREADLENS_TERMINAL=/proc/" + std::to_string(::getpid()) + "/fd/2");
  if (run.time_limit > 0) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", run.time_limit);
    env.push_back(std::string("THREADLENS_TIMEOUT=") + limit);
  }
  if (run.max_trace_size > 0) {
    env.push_back("THREADLENS_MAX_TRACE_SIZE=" + std::to_string(run.max_trace_size));
  }
  if (!run.schedule.empty()) env.push_back("THREADLENS_SCHEDULE=" + run.schedule);
  env.push_back(run.compress == TracedRun::Compress::kAlways  ? "THREADLENS_COMPRESS=1"
                : run.compress == TracedRun::Compress::kNever ? "THREADLENS_COMPRESS=0"
                                                              : "THREADLENS_COMPRESS=auto");
  env.push_back("LD_PRELOAD=" + ld_preload);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The running program, for the forwarding handler.
volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_own_group = 0;  // the program leads a process group of its own
// The signals a user sends a program to stop it, to make it reload or reopen its logs
// (SIGHUP, SIGUSR1, SIGUSR2: nginx, memcached), or when its window changed.
constexpr int kForwarded[] = {SIGTERM, SIGHUP,  SIGINT,   SIGQUIT,
                              SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM};

// A signal sent to us by a process goes on to the program. One the terminal sent (to the
// whole foreground group, SI_KERNEL) has reached the program already.
void Forward(int sig, siginfo_t* info, void*) {
  if (g_child <= 0) return;
  if (g_own_group) {
    ::kill(-g_child, sig);  // the terminal does not reach a group of its own
  } else if (!info || info->si_code != SI_KERNEL) {
    ::kill(g_child, sig);
  }
}

int StatusCode(int wstatus) {
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

}  // namespace

std::string FindPreload() {
  if (const char* env = std::getenv("THREADLENS_PRELOAD"); env && *env) {
    if (!IsFile(env)) throw Error(std::string("THREADLENS_PRELOAD=") + env + ": no such file");
    return fs::absolute(env).string();
  }
  std::vector<std::string> candidates;
  std::string self = SelfDir();
  if (!self.empty()) {
    candidates.push_back(self + "/../tracer/" + kPreloadName);
    candidates.push_back(self + "/../lib/" + kPreloadName);
    candidates.push_back(self + "/" + kPreloadName);
  }
#ifdef THREADLENS_BUILD_LIBDIR
  candidates.push_back(std::string(THREADLENS_BUILD_LIBDIR) + "/" + kPreloadName);
#endif
#ifdef THREADLENS_INSTALL_LIBDIR
  candidates.push_back(std::string(THREADLENS_INSTALL_LIBDIR) + "/" + kPreloadName);
#endif
  for (const auto& c : candidates) {
    if (IsFile(c)) return fs::weakly_canonical(c).string();
  }
  throw Error(std::string("cannot find ") + kPreloadName +
                  " (build the threadlens_preload target, or set THREADLENS_PRELOAD to its path)",
              kExitInternal);
}

std::string PctSchedule(uint64_t seed, int depth, uint64_t steps) {
  return "pct:" + std::to_string(seed) + ":" + std::to_string(depth) + ":" + std::to_string(steps);
}

TracedExit RunTraced(const TracedRun& run) {
  std::vector<std::string> args = run.args;
  if (args.empty()) args.push_back(run.program);
  std::vector<std::string> env = TracedEnvironment(run);
  if (!run.trace.empty()) RemoveChildTraces(run.trace);
  const Recording recording;
  recording.AddTo(env);
  std::vector<char*> argv = Pointers(args), envp = Pointers(env);
  const bool limited = run.timeout > 0;

  auto start = std::chrono::steady_clock::now();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("fork failed: ") + std::strerror(errno), kExitInternal);
  if (pid == 0) {
    if (limited) ::setpgid(0, 0);
    // Never left running orphaned: our death is the program's SIGTERM (its trace is
    // flushed as for any fatal signal).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(128 + SIGTERM);
    recording.Inherit();
    if (!run.output.empty()) {
      int fd = ::open(run.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
    }
    ::execve(run.program.c_str(), argv.data(), envp.data());
    std::fprintf(stderr, "threadlens: cannot execute %s: %s\n", run.program.c_str(),
                 std::strerror(errno));
    ::_exit(127);
  }

  TracedExit r;
  int wstatus = 0;
  // Ctrl-C goes to the whole foreground group: the program decides; we wait for it. The
  // same signals sent to us alone are passed on.
  g_child = pid;
  g_own_group = limited;
  struct sigaction fwd {};
  fwd.sa_sigaction = Forward;
  fwd.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&fwd.sa_mask);
  struct sigaction old_actions[std::size(kForwarded)];
  for (size_t i = 0; i < std::size(kForwarded); ++i) {
    ::sigaction(kForwarded[i], &fwd, &old_actions[i]);
  }
  if (!limited) {
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
  } else {
    auto deadline = start + std::chrono::duration<double>(run.timeout);
    for (;;) {
      pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
      if (done == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &wstatus, 0);
        r.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (size_t i = 0; i < std::size(kForwarded); ++i) {
    ::sigaction(kForwarded[i], &old_actions[i], nullptr);
  }
  g_child = 0;
  if (!r.timed_out) recording.WaitForTree(run.watchdog > 0 ? run.watchdog + 2 : 2);
  r.status = StatusCode(wstatus);
  if (WIFSIGNALED(wstatus)) r.signal = WTERMSIG(wstatus);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace threadlens::cli
