// `threadlens tsan [--json F] [--format text|json] -- PROGRAM [ARGS]`: runs a program built
// with clang's real -fsanitize=thread, collects ThreadSanitizer's reports from its log files,
// and prints them as threadlens findings (same text and JSON as `analyze`; the JSON file can
// be gated by `threadlens check`). Exit 1 when TSan reported anything, 0 when not, 2 when the
// program cannot be run.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/elf_probe.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/analyzer/tsan_import.h"
#include "threadlens/reports/outputs.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whether the program carries TSan's runtime (HasTsanRuntime): a check that it can report
// at all, so a silent run is not mistaken for a clean one.
bool LooksTsanInstrumented(const std::string& program) {
  std::string path = program;
  if (program.find('/') == std::string::npos) {
    const char* env = std::getenv("PATH");
    std::stringstream dirs(env ? env : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) {
        path = dir + "/" + program;
        break;
      }
    }
  }
  return HasTsanRuntime(path);
}

struct RunResult {
  int status = 0;  // exit status, or 128 + signal
  int signal = 0;  // the fatal signal, if one ended it
};

// Runs argv with TSAN_OPTIONS set; stdin, stdout and stderr stay the user's.
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& tsan_options) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error("tsan: pipe failed", kExitInternal);
  pid_t pid = fork();
  if (pid < 0) throw Error("tsan: fork failed", kExitInternal);
  if (pid == 0) {
    close(fds[0]);
    setenv("TSAN_OPTIONS", tsan_options.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    int err = errno;
    (void)!write(fds[1], &err, sizeof err);
    _exit(127);
  }
  close(fds[1]);
  int exec_errno = 0;
  ssize_t n = read(fds[0], &exec_errno, sizeof exec_errno);
  close(fds[0]);
  // Ctrl-C goes to the program; we wait for it and still collect what it reported.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    throw Error("tsan: cannot run " + argv[0] + ": " + std::strerror(exec_errno) +
                " (check the path, or build it first)");
  }
  RunResult r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace

Command AddTsan(CLI::App& app) {
  struct Options {
    std::vector<std::string> command;
    std::string format = "text";
    std::string json;
    std::string log_dir;
    std::string color = "auto";
    bool exit_zero = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "tsan", "Run a program built with clang's -fsanitize=thread and import its reports");
  sub->add_option("--format", o->format, "text (default) or json on stdout")
      ->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--json", o->json, "Also write the findings as JSON (for `threadlens check`)");
  sub->add_option("--keep-logs", o->log_dir,
                  "Folder for TSan's raw logs (default: a temporary folder, removed after)");
  sub->add_option("--color", o->color, "Colour the text: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_flag("--exit-zero", o->exit_zero, "Exit 0 even when TSan reported something");
  sub->add_option("command", o->command, "-- PROGRAM [ARGS]")->required();
  sub->positionals_at_end();
  return {sub, [o]() -> int {
            UseVerbatimCommand(o->command);
            const std::string& program = o->command.front();
            if (!LooksTsanInstrumented(program)) {
              std::fprintf(stderr,
                           "threadlens tsan: warning: %s does not look built with "
                           "-fsanitize=thread; it cannot report anything\n",
                           program.c_str());
            }
            // TSan writes log_path.<pid> per process (children too): a private folder keeps
            // them apart from anything else.
            bool temporary = o->log_dir.empty();
            fs::path dir;
            if (temporary) {
              std::string tmpl = (fs::temp_directory_path() / "threadlens-tsan-XXXXXX").string();
              if (!mkdtemp(tmpl.data())) throw Error("tsan: cannot create a temporary folder");
              dir = tmpl;
            } else {
              dir = o->log_dir;
              std::error_code ec;
              fs::create_directories(dir, ec);
              if (ec) throw Error("tsan: cannot create " + o->log_dir + ": " + ec.message());
            }
            const char* user = std::getenv("TSAN_OPTIONS");
            std::string options = TsanOptions((dir / "tsan").string(), user ? user : "");
            RunResult run;
            try {
              run = RunProgram(o->command, options);
            } catch (...) {
              if (temporary) fs::remove_all(dir);
              throw;
            }

            std::string logs;
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(dir)) {
              if (entry.path().filename().string().rfind("tsan", 0) == 0) files.push_back(entry);
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files) logs += ReadAll(f) + "\n";
            if (temporary) fs::remove_all(dir);

            Report report = ImportTsanReports(logs, program);
            if (run.signal) {  // a fatal signal: TSan's later reports are lost
              report.complete = false;
              report.warnings.push_back(program + " was killed by signal " +
                                        std::to_string(run.signal) +
                                        ": reports after it are missing");
            }
            for (const std::string& w : report.warnings) {
              std::fprintf(stderr, "threadlens tsan: warning: %s\n", EscapeControls(w).c_str());
            }
            if (!o->json.empty()) {
              std::ofstream out(o->json);
              out << ToJson(report, 2) << '\n';
              if (!out) throw Error("tsan: cannot write " + o->json);
            }
            if (o->format == "json") {
              std::string out = ToJson(report, 2) + "\n";
              std::fwrite(out.data(), 1, out.size(), stdout);
            } else {
              reports::TextOptions text;
              text.color = reports::UseColor(reports::ParseColorMode(o->color), STDOUT_FILENO);
              std::string out = reports::RenderText(report, text);
              std::fwrite(out.data(), 1, out.size(), stdout);
            }
            std::fprintf(stderr, "threadlens tsan: %s exited with status %d; %zu report%s\n",
                         program.c_str(), run.status, report.findings.size(),
                         report.findings.size() == 1 ? "" : "s");
            if (!report.complete) {
              std::fprintf(stderr,
                           "threadlens tsan: the run is incomplete: no report is no evidence "
                           "of a pass\n");
            }
            if ((!report.findings.empty() || !report.complete) && !o->exit_zero) {
              return kExitFindings;
            }
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
