// Hand-built findings reports the renderer tests draw: a deadlock, a lock-order cycle, a
// race, a hang, contention, and a report whose names are hostile HTML.
#pragma once

#include <string>

#include "threadlens/analyzer/findings.h"

namespace threadlens::testing {

inline std::string BankSource() {
  return std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/testdata/bank.cc";
}

inline Access Site(const std::string& thread, uint32_t tid, const std::string& op,
                   const std::string& object, const std::string& function, int line, uint64_t ts,
                   std::vector<std::string> held = {}) {
  Access a;
  a.thread = thread;
  a.tid = tid;
  a.op = op;
  a.object = object;
  a.stack = {Frame{function, BankSource(), line, 0, ""}, Frame{"main", BankSource(), 0, 0, ""}};
  a.held = std::move(held);
  a.ts = ts;
  a.event_index = ts;
  return a;
}

inline void AddThreadsAndLocks(Report& r, std::vector<std::string> threads,
                               std::vector<std::string> locks) {
  uint32_t tid = 1;
  for (auto& t : threads) r.threads.push_back({tid++, t, 1, 0, 1000, false});
  for (auto& l : locks) r.locks.push_back({l, 0x1000 + r.locks.size() * 0x40, "normal"});
}

inline Report DeadlockReport() {
  Report r;
  r.trace = "deadlock.tltrace";
  r.program = "bank";
  r.events = 42;
  r.begin_ticks = 0;
  r.end_ticks = 1000;
  r.watchdog = true;
  AddThreadsAndLocks(r, {"main", "Transfer", "Audit"}, {"accounts_mu", "audit_mu"});
  r.threads[1].blocked_at_end = r.threads[2].blocked_at_end = true;
  Finding f;
  f.kind = "deadlock";
  f.title = "deadlock: Transfer and Audit wait for each other";
  f.fingerprint = "00000000deadbeef";
  f.threads = {"Transfer", "Audit"};
  f.locks = {"accounts_mu", "audit_mu"};
  f.accesses = {
      Site("Transfer", 2, "request", "audit_mu", "Transfer(long)", 10, 300, {"accounts_mu"}),
      Site("Audit", 3, "request", "accounts_mu", "Audit()", 16, 310, {"audit_mu"})};
  CycleEdge e1{"Transfer",
               "Audit",
               "Transfer",
               2,
               Site("Transfer", 2, "acquire", "accounts_mu", "Transfer(long)", 9, 100),
               Site("Transfer", 2, "request", "audit_mu", "Transfer(long)", 10, 300)};
  CycleEdge e2{"Audit",
               "Transfer",
               "Audit",
               3,
               Site("Audit", 3, "acquire", "audit_mu", "Audit()", 15, 150),
               Site("Audit", 3, "request", "accounts_mu", "Audit()", 16, 310)};
  // As the analysis makes a wait-for edge: the waiter's request, holding its own lock, and
  // where the holder (the thread waited for) took the lock requested.
  CycleEdge w1{"Transfer", "Audit", "Transfer", 2, e2.from_site,
               Site("Transfer", 2, "request", "audit_mu", "Transfer(long)", 10, 300,
                    {"accounts_mu"})};
  CycleEdge w2{"Audit", "Transfer", "Audit", 3, e1.from_site,
               Site("Audit", 3, "request", "accounts_mu", "Audit()", 16, 310, {"audit_mu"})};
  f.cycle = {w1, w2};
  r.findings.push_back(f);
  r.spans = {{2, "accounts_mu", "hold", 100, 1000},
             {2, "audit_mu", "wait", 300, 1000},
             {3, "audit_mu", "hold", 150, 1000},
             {3, "accounts_mu", "wait", 310, 1000}};
  r.lock_order = {{"accounts_mu", "audit_mu", {"Transfer"}, e1.from_site, e1.to_site, 1},
                  {"audit_mu", "accounts_mu", {"Audit"}, e2.from_site, e2.to_site, 1}};
  return r;
}

inline Report LockOrderReport() {
  Report r;
  r.trace = "lockorder.tltrace";
  r.program = "bank";
  r.events = 64;
  r.end_ticks = 2000;
  AddThreadsAndLocks(r, {"main", "Transfer", "Audit"}, {"accounts_mu", "audit_mu", "log_mu"});
  Finding f;
  f.kind = "lock-order";
  f.title = "lock-order inversion: accounts_mu -> audit_mu -> accounts_mu";
  f.fingerprint = "0123456789abcdef";
  f.threads = {"Transfer", "Audit"};
  f.locks = {"accounts_mu", "audit_mu"};
  CycleEdge e1{
      "accounts_mu",
      "audit_mu",
      "Transfer",
      2,
      Site("Transfer", 2, "acquire", "accounts_mu", "Transfer(long)", 9, 100),
      Site("Transfer", 2, "acquire", "audit_mu", "Transfer(long)", 10, 120, {"accounts_mu"})};
  CycleEdge e2{"audit_mu",
               "accounts_mu",
               "Audit",
               3,
               Site("Audit", 3, "acquire", "audit_mu", "Audit()", 15, 900),
               Site("Audit", 3, "acquire", "accounts_mu", "Audit()", 16, 920, {"audit_mu"})};
  f.cycle = {e1, e2};
  r.findings.push_back(f);
  LockOrderEdge grey{"accounts_mu", "log_mu", {"Transfer", "main"}, e1.from_site, e1.to_site, 3};
  grey.to_site.object = "log_mu";
  r.lock_order = {{"accounts_mu", "audit_mu", {"Transfer"}, e1.from_site, e1.to_site, 1},
                  {"audit_mu", "accounts_mu", {"Audit"}, e2.from_site, e2.to_site, 1},
                  grey};
  r.spans = {{2, "accounts_mu", "hold", 100, 200},
             {2, "audit_mu", "hold", 120, 180},
             {3, "audit_mu", "hold", 900, 990},
             {3, "accounts_mu", "hold", 920, 960},
             {2, "log_mu", "hold", 150, 250}};  // overlaps accounts_mu without nesting
  return r;
}

inline Report RaceReport() {
  Report r;
  r.trace = "race.tltrace";
  r.program = "bank";
  r.events = 10;
  r.end_ticks = 500;
  AddThreadsAndLocks(r, {"main", "Depositor", "Reader"}, {"accounts_mu"});
  Finding f;
  f.kind = "race";
  f.title = "data race on balance";
  f.fingerprint = "fedcba9876543210";
  f.threads = {"Depositor", "Reader"};
  f.variables = {"balance"};
  f.accesses = {Site("Depositor", 2, "write", "balance", "Deposit(long)", 20, 200),
                Site("Reader", 3, "read", "balance", "Peek()", 24, 260, {"accounts_mu"})};
  f.accesses[0].size = f.accesses[1].size = 8;
  r.findings.push_back(f);
  r.spans = {{3, "accounts_mu", "hold", 250, 300}};
  return r;
}

inline Report HangReport() {
  Report r;
  r.trace = "hang.tltrace";
  r.program = "queue";
  r.events = 12;
  r.end_ticks = 800;
  r.watchdog = true;
  AddThreadsAndLocks(r, {"main", "Consumer"}, {"queue_mu", "queue_cv"});
  Finding f;
  f.kind = "hang";
  f.subkind = "cond";
  f.title = "Consumer waits on queue_cv forever";
  f.fingerprint = "1111222233334444";
  f.threads = {"Consumer"};
  f.locks = {"queue_cv"};
  f.accesses = {Site("Consumer", 2, "wait", "queue_cv", "Consume()", 20, 400)};
  r.findings.push_back(f);
  r.spans = {{2, "queue_cv", "cond-wait", 400, 800}};
  return r;
}

inline Report ContentionReport() {
  Report r = LockOrderReport();
  r.trace = "contention.tltrace";
  for (const char* l : {"accounts_mu", "audit_mu"}) {
    Finding c;
    c.kind = "contention";
    c.severity = Severity::kNote;
    c.title = std::string("contention on ") + l;
    c.fingerprint = l[1] == 'c' ? "aaaaaaaaaaaaaaaa" : "bbbbbbbbbbbbbbbb";
    c.locks = {l};
    c.contention = ContentionStats{1, 100, l[1] == 'c' ? 40u : 5u, 123456, 9999, 777777, 5555};
    r.findings.push_back(c);
  }
  return r;
}

inline constexpr const char* kHostile = "<script>alert(1)</script>";

// Every name a program controls is hostile markup.
inline Report HostileReport() {
  Report r = LockOrderReport();
  r.trace = "<img src=x onerror=alert(2)>.tltrace";
  auto rename = [](std::string& s) {
    if (s == "accounts_mu") s = kHostile;
    if (s == "Transfer") s = "T\"<b>bold</b>&amp;";
  };
  for (auto& f : r.findings) {
    for (auto& l : f.locks) rename(l);
    for (auto& t : f.threads) rename(t);
    for (auto& e : f.cycle) {
      rename(e.from), rename(e.to), rename(e.thread);
      rename(e.from_site.object), rename(e.to_site.object);
      e.to_site.stack[0].function = "evil<script>alert(3)</script>()";
    }
  }
  for (auto& e : r.lock_order) rename(e.from), rename(e.to);
  for (auto& t : r.threads) rename(t.name);
  for (auto& l : r.locks) rename(l.name);
  for (auto& s : r.spans) rename(s.object);
  r.findings[0].title = std::string("lock-order inversion on ") + kHostile;
  return r;
}

}  // namespace threadlens::testing
