// SARIF 2.1.0 writer (OASIS SARIF v2.1.0, with the constraints GitHub code scanning adds:
// one run per tool, partialFingerprints, URIs relative to the checkout).
#include "threadlens/reports/sarif_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "render_util.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::reports {
namespace {

using nlohmann::json;

struct RuleInfo {
  const char* id;
  const char* name;
  const char* level;
  const char* short_text;
  const char* full_text;
  const char* help;
};

constexpr RuleInfo kRules[] = {
    {"race", "DataRace", "error", "Data race",
     "Two threads access the same memory location, at least one of them writes, and no "
     "synchronization orders the two accesses.",
     "Protect every access to the variable with the same lock, make it an atomic, or order the "
     "accesses with a happens-before edge (join, a release/acquire pair, a condition variable)."},
    {"lock-order", "LockOrderInversion", "error", "Lock-order inversion (potential deadlock)",
     "Threads take the same locks in different orders. The run did not deadlock, but another "
     "interleaving of the same code can.",
     "Pick one global order for these locks and take them in that order everywhere, or take "
     "them together (std::scoped_lock), or drop the outer lock before taking the inner one."},
    {"deadlock", "Deadlock", "error", "Deadlock",
     "Threads were blocked at the end of the run, each waiting for a lock another one holds.",
     "Break the wait-for cycle: take the locks in one global order, or together with "
     "std::scoped_lock / std::lock."},
    {"self-deadlock", "SelfDeadlock", "error", "Self-deadlock",
     "A thread requested a non-recursive lock it already holds and blocked forever.",
     "Do not call back into code that takes the same lock while holding it; split the "
     "function into a locked and an unlocked part, or use a recursive lock deliberately."},
    {"hang", "Hang", "error", "Thread blocked forever",
     "A thread waits on a condition variable, a join or a semaphore, and no thread is left "
     "that could wake it.",
     "Make sure every wait has a matching notify/post on every path (including shutdown), and "
     "wait with a predicate so a missed notification cannot strand the waiter."},
    {"misuse", "LockMisuse", "warning", "Lock or thread misuse",
     "A lock or a thread was used against its contract: a lock unlocked while not held, "
     "unlocked by another thread, held at thread exit, destroyed while locked or locked after "
     "its destroy; a thread never joined nor detached, detached twice, joined after a detach or "
     "detached after a join, or ended with ignore annotations still on; a signal handler that "
     "calls a function that is not async-signal-safe, or returns with errno changed.",
     "Use RAII guards (std::lock_guard, std::unique_lock) so every lock is released by the "
     "thread that took it, on every path; join or detach every thread exactly once, never both; "
     "in a signal handler call only async-signal-safe functions and restore errno."},
    {"contention", "LockContention", "note", "Lock contention",
     "Threads spent noticeable time waiting for this lock.",
     "Shorten the critical section, split the lock, or use a reader-writer lock."},
};

const RuleInfo& RuleFor(const std::string& kind, size_t* index) {
  for (size_t i = 0; i < std::size(kRules); ++i) {
    if (kind == kRules[i].id) {
      *index = i;
      return kRules[i];
    }
  }
  *index = 5;  // A kind this build does not know is reported as misuse rather than dropped.
  static_assert(std::string_view(kRules[5].id) == "misuse");
  return kRules[*index];
}

// RFC 3986 percent-encoding for a path (keeps '/').
std::string UriPath(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class Locator {
 public:
  explicit Locator(const std::string& root) {
    if (!root.empty()) {
      std::error_code ec;
      root_ =
          std::filesystem::weakly_canonical(std::filesystem::absolute(root), ec).lexically_normal();
    }
  }

  bool has_root() const { return !root_.empty(); }
  std::string RootUri() const {
    std::string s = root_.string();
    if (s.empty() || s.back() != '/') s += '/';
    return "file://" + UriPath(s);
  }

  // artifactLocation for a source file, or null when the file is unknown.
  json Artifact(const std::string& file) const {
    if (file.empty()) return nullptr;
    std::filesystem::path p(file);
    if (p.is_relative()) {
      json a = {{"uri", UriPath(p.lexically_normal().string())}};
      if (has_root()) a["uriBaseId"] = "SRCROOT";
      return a;
    }
    if (has_root()) {
      auto rel = p.lexically_normal().lexically_relative(root_);
      if (!rel.empty() && *rel.begin() != "..") {
        return {{"uri", UriPath(rel.string())}, {"uriBaseId", "SRCROOT"}};
      }
    }
    return {{"uri", "file://" + UriPath(p.lexically_normal().string())}};
  }

  json Location(const Access& a, const std::string& message) const {
    json loc = json::object();
    const Frame& f = TopFrame(a);
    if (json art = Artifact(f.file); !art.is_null()) {
      json phys = {{"artifactLocation", art}};
      if (f.line > 0) phys["region"] = {{"startLine", f.line}};
      loc["physicalLocation"] = phys;
    }
    if (!f.function.empty()) {
      loc["logicalLocations"] =
          json::array({{{"fullyQualifiedName", f.function}, {"kind", "function"}}});
    }
    if (!message.empty()) loc["message"] = {{"text", message}};
    return loc;
  }

 private:
  std::filesystem::path root_;
};

// One step of a code flow: what a thread did, in trace order.
struct Step {
  std::string thread;
  const Access* site;
  std::string kind;  // acquire, release, memory, resource (a join)
  std::string message;
  uint64_t order_key;
};

std::string Verb(const std::string& op) {
  static const std::map<std::string, std::string> kVerbs = {
      {"acquire", "acquires"}, {"request", "requests"},  {"release", "releases"},
      {"unlock", "unlocks"},   {"read", "reads"},        {"write", "writes"},
      {"join", "joins"},       {"wait", "waits on"},     {"cond-wait", "waits on"},
      {"sem-wait", "waits on"}, {"free", "frees"},       {"allocate", "allocates"},
      {"close", "closes"},     {"open", "opens"},        {"map", "maps"},
      {"unmap", "unmaps"},
      {"futex-wait", "waits on"}, {"wait-process", "waits for the end of"},
      {"pipe-read", "waits to read"}, {"pipe-write", "waits to write to"},
      {"signal-wait", "waits for"},
      {"detach", "detaches"},  {"lock", "locks"},        {"destroy", "destroys"}};
  auto it = kVerbs.find(op);
  return it != kVerbs.end() ? it->second : op;
}

std::string Holding(const std::vector<std::string>& held) {
  std::string s;
  for (size_t i = 0; i < held.size(); ++i) s += (i ? ", " : " while holding ") + held[i];
  return s;
}

std::string StepKind(const std::string& op, uint32_t size) {
  if (op == "release" || op == "unlock") return "release";
  if (op == "join" || op == "wait-process" || op == "pipe-read" || op == "pipe-write" ||
      op == "signal-wait") {
    return "resource";
  }
  if (op == "read" || op == "write" || size > 0) return "memory";
  return "acquire";
}

std::vector<Step> Steps(const Finding& f) {
  std::vector<Step> steps;
  std::set<std::string> seen;  // thread, op, object and position of each step so far
  auto key = [](const Access& a) { return a.event_index ? a.event_index : a.ts; };
  auto add = [&](const std::string& thread, const Access& site, const std::string& op,
                 const std::string& object, std::string msg) {
    std::string id = thread + '\n' + op + '\n' + object + '\n' + std::to_string(key(site));
    if (!seen.insert(id).second) return;  // a cycle edge and a side can be the same event
    steps.push_back({thread, &site, StepKind(op, site.size), std::move(msg), key(site)});
  };
  const bool wait_for = f.kind != "lock-order";
  for (const CycleEdge& e : f.cycle) {
    const std::string t = !e.thread.empty() ? e.thread : e.from;
    // Lock-order edges name locks; wait-for edges name threads and keep the locks in sites.
    const std::string held = wait_for ? e.from_site.object : e.from;
    const std::string wanted = wait_for ? e.to_site.object : e.to;
    // A wait-for edge's lock was taken by its holder, the thread waited for.
    const std::string taker = wait_for && !e.from_site.thread.empty() ? e.from_site.thread : t;
    if (!held.empty()) add(taker, e.from_site, "acquire", held, taker + " acquires " + held);
    if (wanted.empty()) continue;
    std::vector<std::string> holding = e.to_site.held;
    // A lock-order edge's first lock is held at its second's acquisition; a wait-for edge's
    // is the one requested, which the holder took.
    if (!wait_for && !held.empty() &&
        std::find(holding.begin(), holding.end(), held) == holding.end()) {
      holding.insert(holding.begin(), held);
    }
    std::string op = wait_for ? (e.to_site.op.empty() ? "request" : e.to_site.op) : "acquire";
    std::string msg;
    if (op == "join") {
      msg = t + " joins " + wanted + Holding(holding) + " (waits for it to end)";
    } else if (op == "wait-process") {
      msg = t + " waits for " + wanted + " to end" + Holding(holding) + " (" + e.to +
            " is stuck)";
    } else if (op == "pipe-read" || op == "pipe-write") {
      msg = t + (op == "pipe-read" ? " waits to read " : " waits to write to ") + wanted +
            Holding(holding) + " (" + e.to + " is stuck)";
    } else {
      msg = t + " " + (wait_for ? "requests " : "acquires ") + wanted + Holding(holding);
      if (wait_for && !e.to.empty() && e.to != t) msg += " (held by " + e.to + ")";
    }
    add(t, e.to_site, op, wanted, msg);
  }
  for (const Access& a : f.accesses) {
    std::string msg = a.thread + " " + Verb(a.shown_op()) + (a.object.empty() ? "" : " " + a.object);
    msg += Holding(a.held);
    if (a.op == "join") msg += " (waits for it to end)";
    add(a.thread, a, a.op, a.object, msg);
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.order_key < b.order_key; });
  return steps;
}

json CodeFlow(const Finding& f, const Locator& loc) {
  std::vector<Step> steps = Steps(f);
  if (steps.empty()) return nullptr;
  std::vector<std::string> order;  // threads in order of first appearance
  std::map<std::string, json> flows;
  int execution_order = 0;
  for (const Step& s : steps) {
    if (!flows.count(s.thread)) {
      order.push_back(s.thread);
      flows[s.thread] = json::array();
    }
    json tfl = {{"location", loc.Location(*s.site, s.message)},
                {"kinds", json::array({s.kind})},
                {"executionOrder", ++execution_order}};
    flows[s.thread].push_back(tfl);
  }
  json thread_flows = json::array();
  for (auto& t : order) {
    thread_flows.push_back({{"id", t.empty() ? "thread" : t},
                            {"message", {{"text", "thread " + t}}},
                            {"locations", flows[t]}});
  }
  return {{"message", {{"text", f.title}}}, {"threadFlows", thread_flows}};
}

// A prediction's schedule as a second code flow: every step in order, each in its thread.
json WitnessFlow(const Finding& f) {
  if (f.witness.empty()) return nullptr;
  std::vector<std::string> order;
  std::map<std::string, json> flows;
  int execution_order = 0;
  for (const WitnessStep& w : f.witness) {
    if (!flows.count(w.thread)) {
      order.push_back(w.thread);
      flows[w.thread] = json::array();
    }
    std::string msg = w.thread + " " + w.op + (w.object.empty() ? "" : " " + w.object);
    if (w.op == "request" || w.op == "wait" || w.op == "join-blocked" || w.op == "sem-wait")
      msg += " (blocks)";
    if (w.op.rfind("race-", 0) == 0) msg += " (both accesses ready: the race)";
    json location = {{"message", {{"text", msg + (w.site.empty() ? "" : " at " + w.site)}}}};
    flows[w.thread].push_back({{"location", location},
                               {"kinds", json::array({w.op})},
                               {"executionOrder", ++execution_order}});
  }
  json thread_flows = json::array();
  for (auto& t : order) {
    thread_flows.push_back({{"id", t.empty() ? "thread" : t},
                            {"message", {{"text", "thread " + t}}},
                            {"locations", flows[t]}});
  }
  std::string text = "predicted schedule (" + f.relation + " reordering of the run)";
  if (f.witness_omitted) text += "; its first " + std::to_string(f.witness_omitted) + " steps left out";
  return {{"message", {{"text", text}}}, {"threadFlows", thread_flows}};
}

}  // namespace

json ToSarif(const std::vector<NamedReport>& reports, const SarifOptions& options) {
  Locator loc(options.source_root);
  json rules = json::array();
  for (const RuleInfo& r : kRules) {
    rules.push_back({
        {"id", r.id},
        {"name", r.name},
        {"shortDescription", {{"text", r.short_text}}},
        {"fullDescription", {{"text", r.full_text}}},
        {"help",
         {{"text", r.help},
          {"markdown",
           std::string("**") + r.short_text + "**\n\n" + r.full_text + "\n\n" + r.help}}},
        {"defaultConfiguration", {{"level", r.level}}},
        {"properties",
         {{"tags", json::array({"concurrency", r.id})},
          {"problem.severity", std::string(r.level) == "note" ? "recommendation" : r.level}}},
    });
  }
  json results = json::array();
  for (const NamedReport& nr : reports) {
    for (const Finding& f : nr.report.findings) {
      if (f.kind == "contention" && !options.include_contention) continue;
      size_t rule_index = 0;
      const RuleInfo& rule = RuleFor(f.kind, &rule_index);
      json result = {
          {"ruleId", rule.id},
          {"ruleIndex", rule_index},
          {"level", SeverityName(f.severity)},
          {"message", {{"text", f.title.empty() ? rule.short_text : f.title}}},
      };
      // Primary location: the first site with a file; every other site is related.
      std::vector<const Access*> sites;
      for (auto& a : f.accesses) sites.push_back(&a);
      if (f.allocation) sites.push_back(&*f.allocation);
      for (auto& e : f.cycle) sites.push_back(&e.to_site), sites.push_back(&e.from_site);
      auto primary = std::find_if(sites.begin(), sites.end(),
                                  [](const Access* a) { return !TopFrame(*a).file.empty(); });
      json locations = json::array();
      if (primary != sites.end()) {
        locations.push_back(loc.Location(**primary, ""));
      } else if (!nr.report.program.empty() || !nr.report.trace.empty()) {
        // No source: point at the program so the result still has a place to live.
        std::string where = !nr.report.program.empty() ? nr.report.program : nr.report.trace;
        locations.push_back({{"physicalLocation", {{"artifactLocation", loc.Artifact(where)}}}});
      }
      if (!locations.empty()) result["locations"] = locations;
      json related = json::array();
      int related_id = 0;
      for (const Access* a : sites) {
        if (primary != sites.end() && a == *primary) continue;
        if (TopFrame(*a).file.empty()) continue;
        json l =
            loc.Location(*a, a->thread + ": " + a->op + (a->object.empty() ? "" : " " + a->object));
        l["id"] = related_id++;
        related.push_back(l);
      }
      if (!related.empty()) result["relatedLocations"] = related;
      if (!f.fingerprint.empty()) {
        result["partialFingerprints"] = {{"primaryLocationLineHash", f.fingerprint}};
        result["fingerprints"] = {{"threadlens/v1", f.fingerprint}};
      }
      json code_flows = json::array();
      if (json flow = CodeFlow(f, loc); !flow.is_null()) code_flows.push_back(flow);
      if (json flow = WitnessFlow(f); !flow.is_null()) code_flows.push_back(flow);
      if (!code_flows.empty()) result["codeFlows"] = code_flows;
      result["properties"] = {{"trace", nr.report.trace},
                              {"program", nr.name},
                              {"threads", f.threads},
                              {"locks", f.locks},
                              {"variables", f.variables}};
      if (!f.subkind.empty()) result["properties"]["subkind"] = f.subkind;
      if (f.predicted) {
        result["properties"]["predicted"] = *f.predicted;
        result["properties"]["relation"] = f.relation;
      }
      if (f.confirmed) {
        result["properties"]["confirmed"] = *f.confirmed;
        if (!f.confirmed_trace.empty()) result["properties"]["confirmedTrace"] = f.confirmed_trace;
      }
      results.push_back(result);
    }
  }
  json run = {
      {"tool",
       {{"driver",
         {{"name", "threadlens"},
          {"version", options.tool_version},
          {"semanticVersion", options.tool_version},
          {"rules", rules}}}}},
      {"results", results},
      {"columnKind", "utf16CodeUnits"},
  };
  if (loc.has_root()) run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", loc.RootUri()}}}};
  json invocations = json::array();
  for (const NamedReport& nr : reports) {
    json inv = {{"executionSuccessful", true}};
    json notes = json::array();
    for (auto& w : nr.report.warnings)
      notes.push_back({{"level", "warning"}, {"message", {{"text", w}}}});
    if (!notes.empty()) inv["toolExecutionNotifications"] = notes;
    inv["properties"] = {{"trace", nr.report.trace}, {"program", nr.name}};
    invocations.push_back(inv);
  }
  if (!invocations.empty()) run["invocations"] = invocations;
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({run})}};
}

void WriteSarif(const std::string& path, const std::vector<NamedReport>& reports,
                const SarifOptions& options) {
  std::ofstream out(path, std::ios::binary);
  out << ToSarif(reports, options).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  out.close();
  if (!out) throw Error("cannot write " + path);
}

}  // namespace threadlens::reports
