// One-line usage errors with suggestions (see usage_errors.h).
#include "usage_errors.h"

#include <algorithm>
#include <cstdio>

#include "threadlens/analyzer/error.h"

namespace threadlens::cli {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The deepest subcommand the command line named (`scenarios run`), or the app itself.
CLI::App* Innermost(CLI::App* app) {
  for (;;) {
    auto subs = app->get_subcommands();
    if (subs.empty()) return app;
    app = subs.front();
  }
}

std::string CommandPath(CLI::App* app) {
  std::string path;
  for (CLI::App* a = app; a && a->get_parent(); a = a->get_parent()) {
    path = " " + a->get_name() + path;
  }
  return "threadlens" + path;
}

std::vector<std::string> SubcommandNames(CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* s : app->get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(s->get_name());
  }
  return names;
}

std::vector<std::string> OptionNames(CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app->get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// The first word on the command line, after `app`'s own name, that `app` does not know.
std::string UnknownOption(CLI::App* app, int argc, char** argv) {
  const auto known = OptionNames(app);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    if (arg[1] != '-') arg = arg.substr(0, 2);  // -qv: the first letter
    arg = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), arg) == known.end()) return arg;
  }
  return "";
}

void Line(const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); }

}  // namespace

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    // A prefix is a match too: `--fail` for `--fail-on`.
    if (c.size() > word.size() && word.size() >= 4 && c.compare(0, word.size(), word) == 0) d = 1;
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Up to a third of the word's letters off, at least one: a typo, not another word.
  const size_t allowed = std::max<size_t>(1, word.size() / 3);
  return best_d <= allowed ? best : "";
}

int ReportUsageError(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
  CLI::App* sub = Innermost(&app);
  const std::string who = CommandPath(sub);
  const std::string help = "run `" + who + " --help` for usage";
  if (sub == &app) {
    // No command was recognised: the first word that is not an option was meant as one.
    std::string word;
    for (int i = 1; i < argc && word.empty(); ++i) {
      if (argv[i][0] != '-') word = argv[i];
    }
    if (word.empty()) {
      std::string unknown = UnknownOption(&app, argc, argv);
      if (!unknown.empty()) {
        Line("threadlens: unknown option `" + unknown + "`; give a command first (" + help + ")");
        return kExitBadInput;
      }
      std::string names;
      for (const std::string& n : SubcommandNames(&app)) names += (names.empty() ? "" : ", ") + n;
      Line("threadlens: a command is required: " + names + " (" + help + ")");
      return kExitBadInput;
    }
    std::string guess = ClosestMatch(word, SubcommandNames(&app));
    Line("threadlens: unknown command `" + word + "`" +
         (guess.empty() ? "" : "; did you mean `" + guess + "`?") + " (" + help + ")");
    return kExitBadInput;
  }
  if (std::string unknown = UnknownOption(sub, argc, argv); !unknown.empty()) {
    std::string guess = ClosestMatch(unknown, OptionNames(sub));
    Line(who + ": unknown option `" + unknown + "`" +
         (guess.empty() ? "" : "; did you mean `" + guess + "`?") + " (" + help + ")");
    return kExitBadInput;
  }
  // A nested command (`scenarios lst`) is checked like a top-level one.
  if (!SubcommandNames(sub).empty() && sub->get_subcommands().empty()) {
    for (int i = 1; i < argc; ++i) {
      std::string word = argv[i];
      if (word == sub->get_name() || word[0] == '-') continue;
      std::string guess = ClosestMatch(word, SubcommandNames(sub));
      if (!guess.empty() && guess != word) {
        Line(who + ": unknown command `" + word + "`; did you mean `" + guess + "`? (" + help +
             ")");
        return kExitBadInput;
      }
    }
  }
  // The rest (a missing argument, a value out of range, a file that does not exist): CLI11's
  // own sentence, on one line.
  std::string what = e.what();
  std::replace(what.begin(), what.end(), '\n', ' ');
  Line(who + ": " + what + " (" + help + ")");
  return kExitBadInput;
}

}  // namespace threadlens::cli
