// Reads ThreadSanitizer's text reports into findings. A report is a block opened by
// "WARNING: ThreadSanitizer: <headline> (pid=N)"; inside it, sections start at two-space
// indent ("  Write of size 4 at 0x.. by thread T2:", "  Location is global 'x' ...",
// "  Mutex M1 acquired here while holding mutex M0 in thread T3:") and stack frames at four
// ("    #0 bump() /src/a.cc:6:22 (prog+0xd43cf)"). The parser is line-based and forgiving:
// TSan's wording has shifted between releases, so unknown lines are skipped.
#include "threadlens/analyzer/tsan_import.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/symbolizer.h"
#include "capstone_api.h"
#include "namer.h"
#include "heap_object_types.h"
#include "tsan_names.h"
#include "tsan_report_lines.h"

namespace threadlens {

// Weak: the analyzer's fingerprint when linked in, else the local one below.
std::string FingerprintOf(const Finding& finding) __attribute__((weak));

namespace {

using namespace tsanreport;  // NOLINT: the line parsers

std::string LocalFingerprint(const Finding& f) {
  // FNV-1a over kind, functions and names, sorted so the two sides' order does not matter.
  std::set<std::string> parts(f.variables.begin(), f.variables.end());
  parts.insert(f.locks.begin(), f.locks.end());
  for (const auto& a : f.accesses) {
    if (!a.stack.empty()) parts.insert(a.stack[0].function);
  }
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix(f.kind);
  mix(f.subkind);
  for (const auto& p : parts) mix(p);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// One report block: lines [begin, end) after the WARNING line.
Finding ParseBlock(const std::string& headline, const std::vector<std::string_view>& lines,
                   size_t begin, size_t end, const HeapField& field,
                   const FrameResults& results) {
  KindInfo k = Classify(headline);
  Finding f;
  f.kind = k.kind;
  f.subkind = k.subkind;
  f.severity = k.severity;
  f.detail = "ThreadSanitizer: " + headline;
  std::string location;                           // the variable's name, from "Location is ..."
  std::map<std::string, std::string> lock_names;  // "M0" -> "M0 (0x...)"
  std::vector<std::string> cycle;                 // lock ids in cycle order

  static const std::regex kAccess(
      R"(^\s+(Previous )?(atomic )?(read|write|Read|Write|Atomic read|Atomic write))"
      R"(( of size (\d+))? at (0x[0-9a-f]+) by (.+?)(?: \(mutexes:.*\))?:$)");
  static const std::regex kLocGlobal(
      R"(Location is global '(.+?)'(?: of size (\d+))? at (0x[0-9a-f]+)(?: \((.+)\+(0x[0-9a-f]+)\))?)");
  static const std::regex kLocHeap(
      R"(Location is heap block of size (\d+) at (0x[0-9a-f]+) allocated by (.+):$)");
  static const std::regex kLocStack(R"(Location is stack of (.+)\.)");
  static const std::regex kLocTls(R"(Location is TLS of (.+)\.)");
  static const std::regex kCycle(R"(Cycle in lock order graph: (.*)$)");
  static const std::regex kCycleNode(R"((M\d+) \((0x[0-9a-f]+)\))");
  static const std::regex kEdge(
      R"(^\s+Mutex (M\d+) acquired here while holding mutex (M\d+) in (.+):$)");
  static const std::regex kPrevEdge(
      R"(^\s+Mutex (M\d+) previously acquired by the same thread here:$)");
  static const std::regex kMutexCreated(R"(^\s+Mutex (M\d+) \((0x[0-9a-f]+)\) created at:$)");
  static const std::regex kThread(
      R"(^\s+Thread (T\d+)(?: '(.+?)')? \(tid=(\d+), (\w+)\) created by (.+) at:$)");
  static const std::regex kMopTopLevel(R"(^\s+#0 )");

  size_t i = begin;
  bool first_stack_unowned = true;
  std::optional<Frame> first_access;            // the first access's own frame (its check call)
  std::vector<std::pair<Frame, uint64_t>> own;  // each access's own frame and address
  std::vector<Stack> raw_stacks;                 // each access's, as TSan printed it
  while (i < end) {
    std::string line(lines[i]);
    std::smatch m;
    if (std::regex_match(line, m, kAccess)) {
      ++i;
      Access a;
      std::string op = m[3].str();
      for (auto& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.atomic = m[2].matched || StartsWith(op, "atomic");
      a.op = op.find("write") != std::string::npos ? "write" : "read";
      if (m[5].matched) a.size = static_cast<uint32_t>(std::atoi(m[5].str().c_str()));
      a.address = ParseHex(m[6].str().substr(2));
      a.thread = ThreadName(m[7].str());
      a.tid = ThreadTid(a.thread);
      a.held = HeldLocks(line);
      const Stack raw = ReadStack(lines, i);
      if (f.accesses.empty() && !raw.empty()) first_access = raw[0];
      if (!raw.empty()) own.emplace_back(raw[0], a.address);
      // TSan reports a free racing an earlier access as a write by free/operator delete: the
      // analysis of a trace calls that a use after free, the free its own kind of access.
      if (!raw.empty() && IsFreeFunction(raw[0].function)) {
        a.op = "free";
        if (f.kind == "race") f.subkind = "use-after-free";
      }
      a.stack = UserStack(raw);
      raw_stacks.push_back(raw);
      f.accesses.push_back(std::move(a));
      continue;
    }
    if (ReadDescriptorLocation(lines, i, location, f.allocation)) {
      // Both sides are calls on the descriptor: each stack from the call's caller on.
      for (size_t k = 0; k < f.accesses.size(); ++k) {
        DropInterceptorFrame(raw_stacks[k]);
        f.accesses[k].stack = UserStack(raw_stacks[k]);
      }
      continue;
    }
    if (std::regex_search(line, m, kLocGlobal)) {
      location = m[1];
      // No symbol and no size: memory mapped from a file, which TSan names by the file
      // ("lock.mdb+0x10" for a database's lock file), and so does the import. Other such
      // memory ("[heap]+0x8": sbrk's) stays for the accesses' code to name.
      if (!m[2].matched) {
        const std::string module = m[4].str();
        location.clear();
        if (m[1] == "??" && m[4].matched && !module.starts_with("[")) {
          location = module.substr(module.rfind('/') + 1) + "+" +
                     std::to_string(ParseHex(m[5].str().substr(2)));
        }
        ++i;
        continue;
      }
      // The field the program's debug info names at the raced byte ("stats.errors"), as the
      // analysis of a trace names it; TSan gives the symbol ("stats", "impl.1"), and the
      // raced byte's module and offset.
      if (m[4].matched && field) {
        Frame g;
        g.module = m[4].str();
        g.pc = ParseHex(m[5].str().substr(2));
        HeapSight h;
        h.global = &g;
        if (std::string name = field(h); !name.empty()) location = name;
      }
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kLocHeap)) {
      ++i;
      Stack s = ReadStack(lines, i);
      const uint64_t size = std::strtoull(m[1].str().c_str(), nullptr, 10);
      const uint64_t block = ParseHex(m[2].str().substr(2));
      // The byte the report's access touched (the location follows the accesses).
      const uint64_t at = f.accesses.empty() ? block : f.accesses[0].address;
      HeapSight h;
      h.alloc_stack = &s;
      h.size = size;
      h.block = block;
      h.offset = at >= block && at - block < size ? at - block : 0;
      h.access = first_access ? &*first_access : nullptr;
      h.accesses = own;
      location = HeapName(h, field, results);
      continue;
    }
    if (std::regex_search(line, m, kLocStack)) {
      location = "stack of " + ThreadName(m[1].str());
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kLocTls)) {
      location = "thread-local of " + ThreadName(m[1].str());
      ++i;
      continue;
    }
    if (std::regex_search(line, m, kCycle)) {
      std::string nodes = m[1];
      for (std::sregex_iterator it(nodes.begin(), nodes.end(), kCycleNode), e; it != e; ++it) {
        std::string id = (*it)[1];
        lock_names[id] = id + " (" + (*it)[2].str() + ")";
        cycle.push_back(id);
      }
      ++i;
      continue;
    }
    if (std::regex_match(line, m, kEdge)) {
      ++i;
      CycleEdge e;
      e.to = m[1];
      e.from = m[2];
      e.thread = ThreadName(m[3].str());
      e.tid = ThreadTid(e.thread);
      e.to_site.thread = e.thread;
      e.to_site.tid = e.tid;
      e.to_site.op = "acquire";
      e.to_site.object = e.to;
      e.to_site.held = {e.from};
      e.to_site.stack = UserStack(ReadStack(lines, i));
      f.cycle.push_back(std::move(e));
      continue;
    }
    if (std::regex_match(line, m, kPrevEdge)) {
      ++i;
      Stack s = UserStack(ReadStack(lines, i));
      if (!f.cycle.empty() && f.cycle.back().from == m[1].str()) {
        Access& a = f.cycle.back().from_site;
        a.thread = f.cycle.back().thread;
        a.tid = f.cycle.back().tid;
        a.op = "acquire";
        a.object = f.cycle.back().from;
        a.stack = std::move(s);
      }
      continue;
    }
    if (std::regex_match(line, m, kMutexCreated)) {
      std::string id = m[1];
      if (!lock_names.count(id)) lock_names[id] = id + " (" + m[2].str() + ")";
      ++i;
      ReadStack(lines, i);
      continue;
    }
    if (std::regex_match(line, m, kThread)) {
      ++i;
      Stack s = UserStack(ReadStack(lines, i));
      std::string name = m[2].matched ? m[2].str() : m[1].str();
      AddUnique(f.threads, name);
      // A thread leak's one side is the leaked thread's creation.
      if (f.kind == "misuse" && f.subkind == "thread-leak") {
        Access a;
        a.thread = ThreadName(m[5].str());
        a.tid = ThreadTid(a.thread);
        a.op = "create";
        a.object = name;
        a.stack = std::move(s);
        f.accesses.push_back(std::move(a));
      }
      continue;
    }
    // A stack right after the headline (unlock of an unlocked mutex, double lock...) is
    // where it happened.
    if (first_stack_unowned && std::regex_search(line, kMopTopLevel) && f.accesses.empty()) {
      Access a;
      a.op =
          f.kind == "self-deadlock" ? "acquire" : (f.subkind == "unlock-not-held" ? "release" : "");
      Stack s = ReadStack(lines, i);
      a.stack = UserStack(s);
      f.accesses.push_back(std::move(a));
      first_stack_unowned = false;
      continue;
    }
    ++i;
  }

  // Names: variables from the location, locks with their addresses, threads from sides.
  for (auto& a : f.accesses) {
    if (f.kind == "race") a.object = location;
    AddUnique(f.threads, a.thread);
    for (auto& h : a.held) {
      if (lock_names.count(h)) h = lock_names[h];
    }
  }
  for (auto& e : f.cycle) {
    AddUnique(f.threads, e.thread);
    if (lock_names.count(e.from)) e.from = lock_names[e.from];
    if (lock_names.count(e.to)) e.to = lock_names[e.to];
    e.to_site.object = e.to;
    e.from_site.object = e.from;
    for (auto& h : e.to_site.held) {
      if (lock_names.count(h)) h = lock_names[h];
    }
  }
  // Keep the cycle in the order TSan printed it (M0 => M1 => M0).
  if (!cycle.empty()) {
    for (const auto& id : cycle) AddUnique(f.locks, lock_names.count(id) ? lock_names[id] : id);
  } else {
    for (const auto& [id, name] : lock_names) AddUnique(f.locks, name);
  }
  if (f.kind == "misuse" && f.subkind != "thread-leak") {
    for (auto& a : f.accesses) {
      if (a.object.empty() && !f.locks.empty()) a.object = f.locks[0];
    }
  }
  f.threads.erase(std::remove(f.threads.begin(), f.threads.end(), std::string()), f.threads.end());
  // Memory TSan names no location for (sbrk's, an uninstrumented allocator's): the field the
  // first access's code names, at its address, as the analysis of a trace names it.
  if (location.empty() && f.kind == "race" && first_access && field && !f.accesses.empty()) {
    HeapSight h;
    h.access = &*first_access;
    const std::string name = field(h);
    if (!name.empty()) location = name + " at " + analysis::Hex(f.accesses[0].address);
  }
  if (!location.empty() && f.kind == "race") f.variables.push_back(location);

  // Title: what, on what, where.
  std::string where = f.accesses.empty() ? "" : Where(f.accesses[0].stack);
  if (f.kind == "race") {
    std::string what = f.subkind == "use-after-free" ? "heap use after free" : "data race";
    f.title = what + (location.empty() ? "" : " on " + location);
    if (f.accesses.size() >= 2) {
      f.title += " (" + f.accesses[0].thread + " " + f.accesses[0].op + ", " +
                 f.accesses[1].thread + " " + f.accesses[1].op + ")";
    }
  } else if (f.kind == "lock-order") {
    std::string path;
    for (const auto& id : cycle) path += (path.empty() ? "" : " -> ") + id;
    f.title = "lock-order inversion (potential deadlock)" + (path.empty() ? "" : ": " + path);
  } else {
    f.title = headline;
    if (!where.empty()) f.title += " in " + where;
  }
  f.fingerprint = FingerprintOf ? FingerprintOf(f) : LocalFingerprint(f);
  return f;
}

}  // namespace

Report ImportTsanReports(std::string_view text, const std::string& program) {
  Report r;
  r.program = program;
  r.trace = "";
  auto lines = SplitLines(text);
  static const std::regex kWarning(R"(WARNING: ThreadSanitizer: (.*?)(?: \(pid=\d+\))?\s*$)");
  static const std::regex kTotal(R"(ThreadSanitizer: reported (\d+) warnings?)");
  long tsan_total = -1;
  // Heap fields from the program's DWARF, as the analysis of a trace finds them: a
  // symbolizer over the program alone, at base 0 (TSan's frames carry module offsets).
  std::unique_ptr<Symbolizer> sym;
  bool sym_tried = false;
  const std::string program_file = ShortFile(program);
  auto in_program = [&](const Frame& fr) {
    return !program.empty() && !fr.module.empty() && ShortFile(fr.module) == program_file;
  };
  // Read twice: first to learn which accesses type their objects, then to name.
  HeapObjectTypes objects([&](uint64_t site, uint64_t at, uint64_t addr) {
    return sym->ResolveAccessedField(site, at, addr);
  });
  bool learning = true;
  auto program_symbolizer = [&]() {  // made at its first use; null when that failed
    if (!std::exchange(sym_tried, true)) {
      sym = MakeSymbolizer({ModuleInfo{0, ~0ull >> 1, program, ""}});
    }
    return sym.get();
  };
  // What the program's functions on an allocation stack return: each frame matched by name in
  // the inlining chain at its own pc (TSan's pcs are the call's, one before the return).
  FrameResults results = [&](Stack& s) {
    for (Frame& fr : s) {
      if (!in_program(fr)) continue;
      Symbolizer* ps = program_symbolizer();
      if (!ps) return;
      for (const Frame& g : ps->ResolveCodeInlined(fr.pc + 1)) {
        if (g.function == fr.function) {
          fr.result = g.result;
          break;
        }
      }
    }
  };
  HeapField field = [&](const HeapSight& h) -> std::string {
    if (in_program(h.alloc) || (h.access && in_program(*h.access)) ||
        (h.global && in_program(*h.global))) {
      program_symbolizer();
    }
    if (!sym) return "";
    if (h.global) return learning || !in_program(*h.global) ? "" : sym->ResolveData(h.global->pc);
    // A block is keyed by its address and allocating stack, its call path as the analysis
    // keys it (AllocationPathDepth).
    std::string path = std::to_string(h.size), whole = path;
    if (h.alloc_stack) {
      const Stack u = UserStack(*h.alloc_stack);
      const size_t depth = analysis::AllocationPathDepth(u);
      for (size_t i = 0; i < u.size(); ++i) {
        const std::string frame = ":" + u[i].module + "+" + std::to_string(u[i].pc);
        whole += frame;
        if (i < depth) path += frame;
      }
    }
    const std::string block = std::to_string(h.block) + "/" + whole;
    if (learning) {
      for (const auto& [frame, addr] : h.accesses) {
        // TSan prints the instruction's pc; the site is the check call's return address.
        if (h.size && in_program(frame) && addr >= h.block && addr - h.block < h.size) {
          objects.Learn(block, path, h.block, h.size, frame.pc + 1, addr);
        }
      }
      return "";
    }
    // TSan prints the call's pc (the return address less one); the site is the return
    // address, for an allocation as for an access's check.
    bool bytes = false;
    std::string out = in_program(h.alloc)
                          ? sym->ResolveHeapField(h.alloc.pc + 1, h.size, h.offset, &bytes)
                          : "";
    // As the trace's analysis: a block allocated as bytes is named by the access's type.
    if ((out.empty() || bytes) && h.access && in_program(*h.access)) {
      if (std::string accessed = sym->ResolveAccessedField(h.access->pc + 1, 0, 0);
          !accessed.empty()) {
        out = accessed;
      }
    }
    if (out.empty() && h.size && h.offset < h.size) {
      out = objects.Name(block, path, h.block, h.block + h.offset);
    }
    return out;
  };
  for (int pass = 0; pass < 2; ++pass) {
    learning = pass == 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string line(lines[i]);
      std::smatch m;
      if (std::regex_search(line, m, kTotal)) {
        tsan_total = std::atol(m[1].str().c_str());
        continue;
      }
      if (!std::regex_search(line, m, kWarning)) continue;
      std::string headline = m[1];
      size_t end = i + 1;
      while (end < lines.size() && !StartsWith(lines[end], "SUMMARY: ThreadSanitizer") &&
             !StartsWith(lines[end], "==================") &&
             lines[end].find("WARNING: ThreadSanitizer:") == std::string_view::npos) {
        ++end;
      }
      Finding f = ParseBlock(headline, lines, i + 1, end, field, results);
      if (!learning) r.findings.push_back(std::move(f));
      i = end - 1;
    }
  }
  // TSan's own failure ends the run early: what it did not report yet is lost, so no report
  // is no pass.
  if (const std::string stopped = StoppedLine(lines); !stopped.empty()) {
    r.complete = false;
    r.warnings.push_back("ThreadSanitizer stopped the program early: " + stopped);
  }
  if (const std::string p = code_flow::x86::CapstoneProblem(); !p.empty()) {
    r.warnings.push_back(p + ": fields only the machine code names are given as offsets");
  }
  // Threads named in any finding, for renderers that list them.
  std::set<std::string> seen;
  for (const auto& f : r.findings) {
    for (const auto& t : f.threads) {
      if (!seen.insert(t).second) continue;
      ThreadInfo ti;
      ti.name = t;
      ti.tid = ThreadTid(t);
      r.threads.push_back(ti);
    }
  }
  // Locks named in any finding, with the address TSan printed ("M0 (0x...)").
  std::set<std::string> lock_seen;
  for (const auto& f : r.findings) {
    for (const auto& l : f.locks) {
      if (!lock_seen.insert(l).second) continue;
      LockInfo li;
      li.name = l;
      size_t open = l.find("(0x");
      if (open != std::string::npos) li.address = ParseHex(std::string_view(l).substr(open + 3));
      li.type = "unknown";
      r.locks.push_back(li);
    }
  }
  if (tsan_total >= 0 && static_cast<size_t>(tsan_total) != r.findings.size()) {
    r.warnings.push_back("ThreadSanitizer counted " + std::to_string(tsan_total) + " reports, " +
                         std::to_string(r.findings.size()) + " were read");
  }
  SanitizeUtf8(r);
  return r;
}

std::string TsanOptions(const std::string& log_path, const std::string& user_options) {
  std::string o =
      "halt_on_error=0 exitcode=66 report_thread_leaks=1 second_deadlock_stack=1 "
      "detect_deadlocks=1 history_size=4 report_signal_unsafe=1";
  if (!log_path.empty()) o += " log_path=" + log_path;
  // The user's own settings come last, so they win.
  if (!user_options.empty()) o += " " + user_options;
  return o;
}

}  // namespace threadlens
