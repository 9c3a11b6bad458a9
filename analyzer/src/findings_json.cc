// JSON form of the findings model (see findings_json.h and docs/findings.md).
#include "threadlens/analyzer/findings_json.h"

#include <cinttypes>
#include <cstdio>

#include "threadlens/analyzer/error.h"
#include "witness_json.h"

namespace threadlens {
namespace {

using nlohmann::json;

// Addresses and pcs are hex strings: JSON numbers above 2^53 lose precision in JavaScript.
std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}
uint64_t FromHex(const json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (!j.is_string()) return 0;
  return std::strtoull(j.get<std::string>().c_str(), nullptr, 0);
}

template <typename T>
T Get(const json& j, const char* key, T def = T{}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return def;
  return it->get<T>();
}

// The array at `key`, or an empty one; anything else there is an error.
const json& Array(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return kEmpty;
  if (!it->is_array()) throw Error(std::string("\"") + key + "\" is not an array");
  return *it;
}

json FrameJson(const Frame& f) {
  json j = json::object();
  j["function"] = f.function;
  j["file"] = f.file;
  j["line"] = f.line;
  if (f.pc) j["pc"] = Hex(f.pc);
  if (!f.module.empty()) j["module"] = f.module;
  return j;
}
Frame FrameFrom(const json& j) {
  Frame f;
  f.function = Get<std::string>(j, "function");
  f.file = Get<std::string>(j, "file");
  f.line = Get<int>(j, "line");
  if (j.contains("pc")) f.pc = FromHex(j["pc"]);
  f.module = Get<std::string>(j, "module");
  return f;
}

json AccessJson(const Access& a) {
  json j = json::object();
  j["thread"] = a.thread;
  j["tid"] = a.tid;
  if (a.pid) j["pid"] = a.pid;
  j["op"] = a.op;
  j["object"] = a.object;
  j["address"] = Hex(a.address);
  j["size"] = a.size;
  j["atomic"] = a.atomic;
  json stack = json::array();
  for (const Frame& f : a.stack) stack.push_back(FrameJson(f));
  j["stack"] = std::move(stack);
  j["held"] = a.held;
  j["ts"] = a.ts;
  j["event_index"] = a.event_index;
  return j;
}
Access AccessFrom(const json& j) {
  Access a;
  a.thread = Get<std::string>(j, "thread");
  a.tid = Get<uint32_t>(j, "tid");
  a.pid = Get<uint32_t>(j, "pid", 0u);
  a.op = Get<std::string>(j, "op");
  a.object = Get<std::string>(j, "object");
  if (j.contains("address")) a.address = FromHex(j["address"]);
  a.size = Get<uint32_t>(j, "size");
  a.atomic = Get<bool>(j, "atomic");
  {
    for (const json& f : Array(j, "stack")) a.stack.push_back(FrameFrom(f));
  }
  a.held = Get<std::vector<std::string>>(j, "held");
  a.ts = Get<uint64_t>(j, "ts");
  a.event_index = Get<uint64_t>(j, "event_index");
  return a;
}

json EdgeJson(const CycleEdge& e) {
  return json{{"from", e.from},
              {"to", e.to},
              {"thread", e.thread},
              {"tid", e.tid},
              {"from_site", AccessJson(e.from_site)},
              {"to_site", AccessJson(e.to_site)}};
}

}  // namespace

std::vector<std::pair<std::string, size_t>> CountByKind(const Report& report) {
  static const char* kKinds[] = {"race", "lock-order", "deadlock", "self-deadlock",
                                 "hang", "misuse",     "contention"};
  std::vector<std::pair<std::string, size_t>> out;
  for (const char* k : kKinds) out.push_back({k, 0});
  for (const Finding& f : report.findings) {
    bool found = false;
    for (auto& [k, n] : out) {
      if (k == f.kind) {
        ++n;
        found = true;
      }
    }
    if (!found) out.push_back({f.kind, 1});
  }
  return out;
}

namespace {

// `deferred`: when set, each witness is a placeholder and the finding's steps are listed
// there, to be written as text after the dump (witness_json.h).
json FindingJson(const Finding& f, std::vector<const std::vector<WitnessStep>*>* deferred) {
  json j = json::object();
  j["kind"] = f.kind;
  if (!f.subkind.empty()) j["subkind"] = f.subkind;
  j["severity"] = SeverityName(f.severity);
  j["title"] = f.title;
  if (!f.detail.empty()) j["detail"] = f.detail;
  j["fingerprint"] = f.fingerprint;
  if (f.confirmed) {
    j["confirmed"] = *f.confirmed;
    if (!f.confirmed_trace.empty()) j["confirmed_trace"] = f.confirmed_trace;
  }
  j["threads"] = f.threads;
  j["locks"] = f.locks;
  j["variables"] = f.variables;
  json acc = json::array();
  for (const Access& a : f.accesses) acc.push_back(AccessJson(a));
  j["accesses"] = std::move(acc);
  if (f.allocation) j["allocation"] = AccessJson(*f.allocation);
  if (!f.cycle.empty()) {
    json cyc = json::array();
    for (const CycleEdge& e : f.cycle) cyc.push_back(EdgeJson(e));
    j["cycle"] = std::move(cyc);
  }
  if (!f.predicted && !f.relation.empty()) j["relation"] = f.relation;  // a use after free
  if (f.predicted) {
    j["predicted"] = *f.predicted;
    j["relation"] = f.relation;
    if (!f.witness.empty() && deferred) {
      j["witness"] = WitnessPlaceholder(deferred->size());
      deferred->push_back(&f.witness);
    } else if (!f.witness.empty()) {
      json steps = json::array();
      for (const WitnessStep& w : f.witness) {
        steps.push_back({{"thread", w.thread},
                         {"tid", w.tid},
                         {"op", w.op},
                         {"object", w.object},
                         {"site", w.site},
                         {"event_index", w.event_index}});
      }
      j["witness"] = std::move(steps);
    }
    if (f.witness_omitted) j["witness_omitted"] = f.witness_omitted;
  }
  if (f.contention) {
    const ContentionStats& c = *f.contention;
    j["contention"] = {{"locks", c.locks},
                       {"acquisitions", c.acquisitions},   {"contended", c.contended},
                       {"total_wait_ns", c.total_wait_ns}, {"max_wait_ns", c.max_wait_ns},
                       {"total_hold_ns", c.total_hold_ns}, {"max_hold_ns", c.max_hold_ns}};
  }
  return j;
}

json ReportJson(const Report& r, bool timeline,
                std::vector<const std::vector<WitnessStep>*>* deferred) {
  json j = json::object();
  j["schema"] = r.schema;
  j["trace"] = r.trace;
  j["program"] = r.program;
  j["events"] = r.events;
  j["ticks_per_second"] = r.ticks_per_second;
  j["begin_ticks"] = r.begin_ticks;
  j["end_ticks"] = r.end_ticks;
  j["watchdog"] = r.watchdog;
  j["complete"] = r.complete;
  if (r.truncated) j["truncated"] = true;
  json summary = json::object();
  for (const auto& [k, n] : CountByKind(r)) summary[k] = n;
  j["summary"] = std::move(summary);
  json findings = json::array();
  for (const Finding& f : r.findings) findings.push_back(FindingJson(f, deferred));
  j["findings"] = std::move(findings);
  json threads = json::array();
  for (const ThreadInfo& t : r.threads) {
    threads.push_back({{"tid", t.tid},
                       {"name", t.name},
                       {"parent", t.parent},
                       {"start", t.start},
                       {"end", t.end},
                       {"blocked_at_end", t.blocked_at_end}});
    if (t.pid) threads.back()["pid"] = t.pid;
  }
  if (!r.pids.empty()) j["processes"] = r.pids;
  j["threads"] = std::move(threads);
  json locks = json::array();
  for (const LockInfo& l : r.locks) {
    locks.push_back({{"name", l.name}, {"address", Hex(l.address)}, {"type", l.type}});
  }
  j["locks"] = std::move(locks);
  json order = json::array();
  for (const LockOrderEdge& e : r.lock_order) {
    order.push_back({{"from", e.from},
                     {"to", e.to},
                     {"threads", e.threads},
                     {"count", e.count},
                     {"from_site", AccessJson(e.from_site)},
                     {"to_site", AccessJson(e.to_site)}});
  }
  j["lock_order"] = std::move(order);
  if (timeline) {
    json spans = json::array();
    for (const Span& s : r.spans) {
      spans.push_back({{"tid", s.tid},
                       {"object", s.object},
                       {"kind", s.kind},
                       {"begin", s.begin},
                       {"end", s.end}});
    }
    j["spans"] = std::move(spans);
    j["spans_truncated"] = r.spans_truncated;
  }
  j["warnings"] = r.warnings;
  j["notes"] = r.notes;
  return j;
}

}  // namespace

json ToJsonValue(const Finding& f) { return FindingJson(f, nullptr); }
json ToJsonValue(const Report& r, bool timeline) { return ReportJson(r, timeline, nullptr); }

std::string ToJson(const Report& report, int indent, bool timeline) {
  std::vector<const std::vector<WitnessStep>*> witnesses;
  // Replace, not throw: a report built by hand may still hold invalid UTF-8.
  return SpliceWitnesses(ReportJson(report, timeline, &witnesses)
                             .dump(indent, ' ', false, json::error_handler_t::replace),
                         witnesses, indent);
}

Finding FindingFromJsonValue(const json& j) {
  if (!j.is_object()) throw Error("a finding is not a JSON object");
  Finding f;
  f.kind = Get<std::string>(j, "kind");
  f.subkind = Get<std::string>(j, "subkind");
  std::string sev = Get<std::string>(j, "severity", "error");
  f.severity = sev == "note" ? Severity::kNote : sev == "warning" ? Severity::kWarning
                                                                  : Severity::kError;
  f.title = Get<std::string>(j, "title");
  f.detail = Get<std::string>(j, "detail");
  f.fingerprint = Get<std::string>(j, "fingerprint");
  if (j.contains("confirmed") && j["confirmed"].is_boolean()) {
    f.confirmed = j["confirmed"].get<bool>();
    f.confirmed_trace = Get<std::string>(j, "confirmed_trace", std::string());
  }
  if (j.contains("relation") && j["relation"].is_string()) f.relation = j["relation"];
  if (j.contains("predicted") && j["predicted"].is_boolean()) {
    f.predicted = j["predicted"].get<bool>();
    for (const json& w : Array(j, "witness")) {
      WitnessStep s;
      s.thread = Get<std::string>(w, "thread");
      s.tid = Get<uint32_t>(w, "tid");
      s.op = Get<std::string>(w, "op");
      s.object = Get<std::string>(w, "object");
      s.site = Get<std::string>(w, "site");
      s.event_index = Get<uint64_t>(w, "event_index");
      f.witness.push_back(std::move(s));
    }
    f.witness_omitted = Get<uint64_t>(j, "witness_omitted", uint64_t{0});
  }
  f.threads = Get<std::vector<std::string>>(j, "threads");
  f.locks = Get<std::vector<std::string>>(j, "locks");
  f.variables = Get<std::vector<std::string>>(j, "variables");
  {
    for (const json& a : Array(j, "accesses")) f.accesses.push_back(AccessFrom(a));
  }
  if (j.contains("allocation")) f.allocation = AccessFrom(j["allocation"]);
  {
    for (const json& e : Array(j, "cycle")) {
      CycleEdge c;
      c.from = Get<std::string>(e, "from");
      c.to = Get<std::string>(e, "to");
      c.thread = Get<std::string>(e, "thread");
      c.tid = Get<uint32_t>(e, "tid");
      if (e.contains("from_site")) c.from_site = AccessFrom(e["from_site"]);
      if (e.contains("to_site")) c.to_site = AccessFrom(e["to_site"]);
      f.cycle.push_back(std::move(c));
    }
  }
  if (j.contains("contention")) {
    const json& c = j["contention"];
    ContentionStats s;
    s.locks = Get<uint64_t>(c, "locks", 1);  // reports written before locks were grouped
    s.acquisitions = Get<uint64_t>(c, "acquisitions");
    s.contended = Get<uint64_t>(c, "contended");
    s.total_wait_ns = Get<uint64_t>(c, "total_wait_ns");
    s.max_wait_ns = Get<uint64_t>(c, "max_wait_ns");
    s.total_hold_ns = Get<uint64_t>(c, "total_hold_ns");
    s.max_hold_ns = Get<uint64_t>(c, "max_hold_ns");
    f.contention = s;
  }
  return f;
}

Report ReportFromJsonValue(const json& j, const std::string& what) {
  try {
    if (!j.is_object()) throw Error("not a JSON object");
    std::string schema = Get<std::string>(j, "schema");
    const std::string major = "threadlens.findings/";
    // Version 1 differs only in always carrying the spans: both read the same.
    const std::string version = schema.rfind(major, 0) == 0 ? schema.substr(major.size()) : "";
    if (version.rfind("1", 0) != 0 && version.rfind("2", 0) != 0) {
      throw Error(what + ": schema \"" + schema + "\" is not " + kFindingsSchema +
                  " (write it with this version of threadlens)");
    }
    Report r;
    r.schema = schema;
    r.trace = Get<std::string>(j, "trace");
    r.program = Get<std::string>(j, "program");
    r.events = Get<uint64_t>(j, "events");
    r.ticks_per_second = Get<uint64_t>(j, "ticks_per_second", 1'000'000'000);
    r.begin_ticks = Get<uint64_t>(j, "begin_ticks");
    r.end_ticks = Get<uint64_t>(j, "end_ticks");
    r.watchdog = Get<bool>(j, "watchdog");
    r.complete = Get<bool>(j, "complete", true);
    r.truncated = Get<bool>(j, "truncated", false);
    r.warnings = Get<std::vector<std::string>>(j, "warnings");
    r.pids = Get<std::vector<uint32_t>>(j, "processes");
    r.notes = Get<std::vector<std::string>>(j, "notes");
    {
      for (const json& f : Array(j, "findings")) r.findings.push_back(FindingFromJsonValue(f));
    }
    {
      for (const json& t : Array(j, "threads")) {
        ThreadInfo ti;
        ti.tid = Get<uint32_t>(t, "tid");
        ti.pid = Get<uint32_t>(t, "pid", 0u);
        ti.name = Get<std::string>(t, "name");
        ti.parent = Get<uint32_t>(t, "parent");
        ti.start = Get<uint64_t>(t, "start");
        ti.end = Get<uint64_t>(t, "end");
        ti.blocked_at_end = Get<bool>(t, "blocked_at_end");
        r.threads.push_back(std::move(ti));
      }
    }
    {
      for (const json& l : Array(j, "locks")) {
        LockInfo li;
        li.name = Get<std::string>(l, "name");
        if (l.contains("address")) li.address = FromHex(l["address"]);
        li.type = Get<std::string>(l, "type");
        r.locks.push_back(std::move(li));
      }
    }
    {
      for (const json& e : Array(j, "lock_order")) {
        LockOrderEdge le;
        le.from = Get<std::string>(e, "from");
        le.to = Get<std::string>(e, "to");
        le.threads = Get<std::vector<std::string>>(e, "threads");
        le.count = Get<uint64_t>(e, "count");
        if (e.contains("from_site")) le.from_site = AccessFrom(e["from_site"]);
        if (e.contains("to_site")) le.to_site = AccessFrom(e["to_site"]);
        r.lock_order.push_back(std::move(le));
      }
    }
    {
      for (const json& s : Array(j, "spans")) {
        Span sp;
        sp.tid = Get<uint32_t>(s, "tid");
        sp.object = Get<std::string>(s, "object");
        sp.kind = Get<std::string>(s, "kind");
        sp.begin = Get<uint64_t>(s, "begin");
        sp.end = Get<uint64_t>(s, "end");
        r.spans.push_back(std::move(sp));
      }
    }
    r.spans_truncated = Get<bool>(j, "spans_truncated");
    return r;
  } catch (const json::exception& e) {
    throw Error(what + ": unexpected JSON content: " + e.what());
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(what, 0) == 0) throw;
    throw Error(what + ": " + e.what());
  }
}

Report ReportFromJson(std::string_view text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(what + ": not valid JSON (byte " + std::to_string(e.byte) + "): " + e.what());
  }
  return ReportFromJsonValue(j, what);
}

}  // namespace threadlens
