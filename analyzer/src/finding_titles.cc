// The one-line title of each finding, from its named sides: what a terminal, a SARIF
// result or a JUnit failure shows first.
#include "namer.h"

namespace threadlens::analysis {
namespace {

// The library call a futex wait sits in: the outermost of the system frames the stack
// starts with ("std::latch::wait() const"), or "" when the program waited itself.
std::string LibraryCall(const Stack& stack) {
  std::string call;
  for (const Frame& f : stack) {
    if (!IsSystemFrame(f)) break;
    if (!f.function.empty()) call = f.function;
  }
  return call;
}

// libstdc++ waits on some words through a shared table of its own (std::barrier's phase, an
// atomic of another size): that word names nothing the program has.
bool LibraryWord(const std::string& name) {
  return name.rfind("std::__detail::__waiter_pool", 0) == 0;
}

std::string FutexHangTitle(const Access& a) {
  const std::string call = LibraryCall(a.stack);
  if (call.empty()) return "hang: " + a.thread + " blocked forever in a futex wait on " + a.object;
  return "hang: " + a.thread + " blocked forever in " + call +
         (LibraryWord(a.object) ? " (a futex wait)" : " on " + a.object);
}

// What ended the memory a use after free used: a descriptor's close, a mapping's unmap.
std::string FreeWord(const Access& used) {
  return used.descriptor() ? "close" : used.mapping() ? "unmap" : "free";
}

// A polymorphic object's vtable pointer (dwarf_types.cc names it "vptr"): "B::vptr in heap
// block ...", "shape.vptr".
bool NamesVptr(const std::string& name) {
  for (size_t p = name.find("vptr"); p != std::string::npos; p = name.find("vptr", p + 1)) {
    const bool after_field = (p >= 2 && name.compare(p - 2, 2, "::") == 0) ||
                             (p >= 1 && name[p - 1] == '.');
    if (after_field && (p + 4 == name.size() || name[p + 4] == ' ')) return true;
  }
  return false;
}

}  // namespace

void TitleFinding(Finding& f) {
  const auto& a = f.accesses;
  if (f.kind == "race" && f.subkind == "use-after-free" && f.relation == "happens-before" &&
      a.size() >= 2) {
    const Access& freed = a[0].op == "free" ? a[0] : a[1];
    const Access& used = a[0].op == "free" ? a[1] : a[0];
    const bool own = freed.thread == used.thread;
    const bool fd = used.descriptor();
    const std::string free = FreeWord(used);
    f.title = "use after " + free + ": " + used.op + " of " +
              (f.variables.empty() ? used.object : f.variables[0]) + " by " + used.thread +
              " after " + (own ? "its own " + free : "its " + free + " by " + freed.thread);
    if (f.detail.empty() && fd) {
      f.detail = "The close happens before this " + used.op + ": " + used.thread +
                 " uses a descriptor number that was given back, whatever the timing. An "
                 "open in between, by any thread, may hand the number out again.";
    } else if (f.detail.empty() && used.mapping()) {
      f.detail = "The unmap happens before this " + used.op + ": " + used.thread +
                 " uses memory that was unmapped, whatever the timing. Any mapping may take "
                 "the range again in between.";
    } else if (f.detail.empty()) {
      f.detail = "The free happens before this " + used.op + ": " + used.thread +
                 " uses memory that was given back (a dangling pointer), whatever the timing. "
                 "The allocator may hand it out again in between.";
    }
  } else if (f.kind == "race" && f.subkind == "use-after-free" && a.size() >= 2) {
    const Access& freed = a[0].op == "free" ? a[0] : a[1];
    const Access& used = a[0].op == "free" ? a[1] : a[0];
    const bool fd = used.descriptor();
    const std::string free = FreeWord(used);
    f.title = "use after " + free + " by another thread: " + used.op + " of " +
              (f.variables.empty() ? used.object : f.variables[0]) + " by " + used.thread +
              (&used == &a[1] ? " after" : " races with") + " its " + free + " by " +
              freed.thread;
    if (f.detail.empty() && fd) {
      f.detail = "Nothing orders the " + used.op + " with the close: the number may already "
                 "name another file (one that any thread opened since) when " + used.thread +
                 " uses it.";
    } else if (f.detail.empty()) {
      f.detail = "Nothing orders the " + used.op + " with the " + free +
                 ": the memory may already be reused when " + used.thread + " touches it.";
    }
  } else if (f.kind == "race" && a.size() >= 2) {
    f.title = std::string(f.predicted && *f.predicted ? "predicted " : "") + "data race on " +
              (f.variables.empty() ? a[1].object : f.variables[0]) + ": " +
              a[1].shown_op() + " by " + a[1].thread +
              (f.FirstSideEarlier() ? " vs earlier " : " vs ") + a[0].shown_op() + " by " +
              a[0].thread;
    if (f.detail.empty() && !f.variables.empty() && NamesVptr(f.variables[0])) {
      f.detail = "The object's vtable pointer: a constructor or destructor sets it (the write) "
                 "while a virtual call reads it, so the call may reach a base class's version "
                 "or an object being destroyed (ThreadSanitizer: data race on vptr).";
    }
  } else if (f.kind == "lock-order") {
    std::vector<std::string> locks;
    for (const CycleEdge& e : f.cycle) locks.push_back(e.from);
    if (!f.cycle.empty()) locks.push_back(f.cycle.front().from);
    if (f.subkind == "one-thread") {
      f.title = "inconsistent lock order in one thread: " + JoinNames(locks, " -> ") + " (" +
                JoinNames(f.threads, ", ") + "); deadlocks only if these paths run in two threads";
    } else if (f.predicted) {
      f.title = std::string(*f.predicted ? "predicted deadlock" : "lock-order cycle, no schedule found") +
                ": " + JoinNames(locks, " -> ") + " (threads " + JoinNames(f.threads, ", ") + ")";
    } else {
      f.title = std::string(f.severity == Severity::kError ? "potential deadlock"
                                                            : "inconsistent lock order") +
                ": lock-order cycle " + JoinNames(locks, " -> ") + " (threads " +
                JoinNames(f.threads, ", ") + ")";
    }
  } else if (f.kind == "deadlock") {
    std::vector<std::string> parts;
    for (const CycleEdge& e : f.cycle) {
      if (e.to_site.op == "wait") {
        parts.push_back(e.from + " waits for " + e.to + " to notify " + e.to_site.object);
        continue;
      }
      if (e.to_site.op == "sem-wait") {
        parts.push_back(e.from + " waits for " + e.to + " to post " + e.to_site.object);
        continue;
      }
      if (e.to_site.op == "wait-process") {
        parts.push_back(e.from + " waits for " + e.to_site.object + " to end");
        continue;
      }
      if (e.to_site.op == "pipe-read") {
        // Closing an eventfd wakes no reader.
        parts.push_back(e.from + " waits to read " + e.to_site.object + " until " + e.to +
                        (e.to_site.object.starts_with("eventfd:[") ? " writes to it"
                                                                   : " writes to it or closes it"));
        continue;
      }
      if (e.to_site.op == "pipe-write") {
        parts.push_back(e.from + " waits to write to " + e.to_site.object + " until " + e.to +
                        " reads it");
        continue;
      }
      parts.push_back(e.from + " waits for " +
                      (e.from_site.op == "acquire" ? e.from_site.object + " held by " : "") +
                      e.to);
    }
    f.title = std::string(f.predicted && *f.predicted ? "predicted " : "") + "deadlock: " +
              JoinNames(parts, "; ");
    if (a.size() > f.cycle.size()) {
      size_t more = a.size() - f.cycle.size();
      f.title += " (" + std::to_string(more) + " more thread" + (more > 1 ? "s" : "") +
                 " stuck behind it)";
    }
  } else if (f.kind == "self-deadlock" && !a.empty()) {
    f.title = "self-deadlock: " + a[0].thread + " requests " + a[0].object +
              ", which it already holds";
  } else if (f.kind == "hang" && !a.empty()) {
    std::string what = f.subkind == "cond"   ? "condition variable " + a[0].object
                       : f.subkind == "join" ? "thread " + a[0].object + " to end"
                       : f.subkind == "lock" ? "lock " + a[0].object + ", whose holder exited"
                       : f.subkind == "file-lock" ? a[0].object
                       : f.subkind == "pipe" || f.subkind == "socket" ||
                               f.subkind == "eventfd"
                           ? a[0].object
                                             : "semaphore " + a[0].object;
    f.title = "hang: " + a[0].thread + " blocked forever waiting on " + what;
    if (f.subkind == "futex") f.title = FutexHangTitle(a[0]);
    if (f.subkind == "signal") {
      f.title = "hang: " + a[0].thread + " blocked forever waiting for " + a[0].object;
      if (f.detail.empty()) {
        f.detail = "The thread waits for a signal while it holds a lock that the program's "
                   "other threads wait for, so none of them can go on to send it: only a "
                   "signal from outside the program would end the wait. Typically the "
                   "thread that should send it needs that lock first: release the lock "
                   "before waiting.";
      }
    }
    if (f.subkind == "pipe" && f.detail.empty()) {
      f.detail = a[0].op == "pipe-read"
                     ? "A read of a pipe ends with end of file only once every copy of its "
                       "write end is closed, and the only process that still holds one is "
                       "this one, whose threads are all blocked. Typically a reader that kept "
                       "its copy of the write end after fork: close it before reading."
                     : "A write to a full pipe waits for a reader, and the only process that "
                       "holds its read end is this one, whose threads are all blocked.";
    }
    if (f.subkind == "eventfd" && f.detail.empty()) {
      f.detail = "A read of an eventfd waits until a write makes its counter non-zero (closing "
                 "it wakes no one), and the only process that holds it is this one, whose "
                 "threads are all blocked. Typically the thread that should write it waits for "
                 "the reader, or for a lock the reader holds.";
    }
    if (f.subkind == "socket" && f.detail.empty()) {
      f.detail = std::string(a[0].op == "pipe-read" ? "A read of" : "A write to") +
                 " a socket of a socket pair waits for the process that holds the other "
                 "socket, and the only one that holds it is this one, whose threads are all "
                 "blocked. Typically both sides wait for the other to speak first, or a "
                 "reader kept its copy of the peer after fork: close it before reading.";
    }
    if (f.subkind == "cond-destroy") {
      std::vector<std::string> waiters;
      for (size_t i = 1; i < a.size(); ++i) waiters.push_back(a[i].thread);
      f.title = "hang: " + a[0].thread + " blocked forever destroying condition variable " +
                a[0].object +
                (waiters.empty() ? "" : ", which " + JoinNames(waiters, ", ") + " wait on");
      if (f.detail.empty()) {
        f.detail = "glibc's pthread_cond_destroy waits until every thread waiting on the "
                   "condition variable has left its wait, and nothing will wake them "
                   "(destroying a condition variable that threads wait on is undefined in "
                   "POSIX). Typically a static or global condition variable destroyed at exit "
                   "while detached workers still wait on it: stop and join the workers first, "
                   "or leave the condition variable undestroyed.";
      }
    }
    if (f.subkind == "condition") {
      f.title = "hang: " + a[0].thread + " blocked forever in a conditional acquisition of " +
                a[0].object + ", which nobody holds: the condition it waits for never became true";
    }
    if (f.predicted && *f.predicted && f.subkind == "sem") {
      f.title = "predicted hang: " + a[0].thread + " waits forever on semaphore " +
                a[0].object + ", whose posts go to other waits first or never come";
    } else if (f.predicted && *f.predicted && a.size() >= 2) {
      f.title = "predicted lost notification: " + a[1].thread + " notifies " + a[0].object +
                " before " + a[0].thread + " waits for it; " + a[0].thread +
                " then waits forever";
    } else if (a.size() > 1 && f.subkind != "cond-destroy") {  // its title names them
      f.title += " (" + std::to_string(a.size() - 1) + " more thread" +
                 (a.size() > 2 ? "s" : "") + " stuck behind it)";
    }
  } else if (f.kind == "misuse" && !a.empty()) {
    const std::string lock = f.locks.empty() ? a[0].object : f.locks[0];
    if (f.subkind == "unlock-not-held") {
      f.title = "unlock of " + lock + ", which " + a[0].thread + " does not hold";
    } else if (f.subkind == "unlock-not-owner") {
      f.title = a[0].thread + " unlocks " + lock + ", which another thread holds";
    } else if (f.subkind == "read-unlock-write-held") {
      f.title = a[0].thread + " read-unlocks " + lock + ", which it holds for writing";
    } else if (f.subkind == "relock-timed") {
      f.title = a[0].thread + " locks " + lock + " with a timeout while it holds it";
      if (f.detail.empty()) {
        f.detail = "The lock is not recursive: the wait can only time out (or fail at once with "
                   "EDEADLK), and for a default mutex POSIX leaves it undefined.";
      }
    } else if (f.subkind == "lock-destroyed") {
      f.title = a[0].thread + " locks " + lock + " after it was destroyed";
    } else if (f.subkind == "thread-leak") {
      f.title = "thread " + a[0].thread + " ended but was never joined nor detached";
      if (f.detail.empty()) {
        f.detail = "Its resources (stack, thread descriptor) stay allocated until the process "
                   "ends; join it or detach it.";
      }
    } else if (f.subkind == "double-detach") {
      f.title = a[0].thread + " detaches " + a[0].object + ", which was already detached";
    } else if (f.subkind == "signal-unsafe-call" && a.size() >= 2) {
      f.title = a[0].thread + " calls " + a[0].object + " inside a " + a[1].object +
                " handler, where it is not async-signal-safe";
      if (f.detail.empty()) {
        f.detail = "The signal may arrive while " + a[0].thread + " is inside " + a[0].object +
                   " itself (holding its lock or halfway through its state): the handler then "
                   "deadlocks or corrupts it. Call only async-signal-safe functions in a "
                   "handler (signal-safety(7)), or set a flag and do the work outside.";
      }
    } else if (f.subkind == "signal-errno") {
      f.title = "the " + a[0].object + " handler changes errno in " + a[0].thread +
                " and does not restore it";
      if (f.detail.empty()) {
        f.detail = "The interrupted code may test errno right after a failed call and see the "
                   "handler's value instead. Save errno on entry and restore it before "
                   "returning.";
      }
    } else if (f.subkind == "ignores-at-exit") {
      std::vector<std::string> what;
      for (size_t i = 1; i < a.size(); ++i) what.push_back(a[i].object);
      f.title = "thread " + a[0].thread + " finished with ignores enabled: " + JoinNames(what, ", ");
      if (f.detail.empty()) {
        f.detail = "An AnnotateIgnore*Begin had no matching End: what it ignores went unchecked "
                   "until the thread ended.";
      }
    } else if (f.subkind == "join-detached") {
      f.title = a[0].thread + " joins " + a[0].object + ", which was detached";
      if (f.detail.empty()) {
        f.detail = "A detached thread cannot be joined: the join fails (EINVAL) while it runs, "
                   "and once it has ended its descriptor may belong to another thread.";
      }
    } else if (f.subkind == "detach-joined") {
      f.title = a[0].thread + " detaches " + a[0].object + ", which was already joined";
      if (f.detail.empty()) {
        f.detail = "The join freed the thread: its handle no longer names it, and the detach "
                   "may reach another thread that reuses the handle.";
      }
    } else if (f.subkind == "held-at-exit") {
      f.title = a[0].thread + " exits holding " + lock;
    } else if (f.subkind == "wait-holding-lock" && a.size() >= 3) {
      if (a.size() >= 4) {
        f.title = std::string(f.severity == Severity::kError ? "potential deadlock: " : "") +
                  a[0].thread + " waits on " + a[0].object + " holding " + lock + ", which " +
                  a[2].thread + " takes before it notifies " + a[0].object;
        f.detail = "If " + a[0].thread + " waits first, " + a[2].thread + " blocks on " +
                   lock + " and never sends the notification that would wake " +
                   a[0].thread + " (nested monitor lockout). Release " + lock +
                   " before waiting, or wait on a condition variable of " + lock + ".";
      } else {
        f.title = a[0].thread + " waits on " + a[0].object + " holding " + lock + ", which " +
                  a[2].thread + " also takes";
        f.detail = a[2].thread + " stalls on " + lock + " for as long as " + a[0].thread +
                   " sleeps; if the notification never comes, it never gets " + lock + ".";
      }
    } else if (f.subkind == "cond-mutexes" && a.size() >= 2 && f.locks.size() >= 2) {
      f.title = a[0].thread + " waits on " + a[0].object + " with " + f.locks[0] + " while " +
                a[1].thread + " waits on it with " + f.locks[1];
      if (f.detail.empty()) {
        f.detail = "A condition variable belongs to one mutex while any thread waits on it "
                   "(POSIX leaves other uses undefined): a notifier that holds one of the "
                   "mutexes is not ordered with the waiter that holds the other, and its "
                   "wake-up can be lost. Guard the condition with one mutex.";
      }
    } else if (f.subkind == "destroy-locked") {
      f.title = lock + " destroyed while locked";
    } else {
      f.title = "misuse (" + f.subkind + ") of " + lock + " by " + a[0].thread;
    }
  } else if (f.kind == "contention" && f.contention) {
    const ContentionStats& c = *f.contention;
    f.title = "contention on " + (f.locks.empty() ? std::string("?") : f.locks[0]);
    if (c.locks > 1) {
      f.title += " and " + std::to_string(c.locks - 1) + " other lock" +
                 (c.locks > 2 ? "s" : "") + " first taken at the same place";
    }
    f.title += ": " + std::to_string(c.contended) + " of " + std::to_string(c.acquisitions) +
               " acquisitions waited";
  } else {
    f.title = f.kind;
  }
}

}  // namespace threadlens::analysis
