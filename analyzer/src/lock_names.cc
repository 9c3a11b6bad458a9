// Fallback names of the synchronization objects the program did not name and debug info
// does not know (see Namer::BuildLockNames).
#include <algorithm>
#include <map>
#include <set>

#include "namer.h"
#include "process_tree.h"

namespace threadlens::analysis {

// A lock in a heap block whose type debug info gives is named as its field is:
// "Account::mu in heap block allocated at main bank.cc:17". Else
// "lock first taken in F": F is the innermost function of the user's code in the lock's
// first acquisition. A call site that takes several locks belongs to a wrapper
// (port::Mutex::Lock, a possess() helper, a withdraw() called on many accounts): its locks
// are named after the first frame outside such sites, so each lock has its own name. Locks
// that still share a name get " #2", " #3"... in the order they were first taken, so a name,
// and the fingerprint built from it, is the same from run to run.
void Namer::BuildLockNames() {
  lock_names_built_ = true;
  struct Candidate {
    uint64_t obj, index;
    bool rw;
    Stack stack;
    std::string field;  // the lock as a field of its heap block, when debug info says which
  };
  std::vector<Candidate> locks;
  for (const auto& [obj, st] : locks_) {
    if (!st.acquired_ever) continue;
    auto named = object_names_.find(obj);
    if (named != object_names_.end() && !named->second.empty()) continue;
    if (!DataSymbol(obj).empty()) continue;
    locks.push_back({obj, st.first_acquire.index,
                     st.type == static_cast<uint16_t>(trace::LockType::kRwLock),
                     StackOf(st.first_acquire.site, st.first_acquire.stack), ""});
    // On a thread's stack: the local variable its frames then place there.
    if (auto on_stack = stack_objects_.find(obj); on_stack != stack_objects_.end()) {
      locks.back().field = LocalName(obj, on_stack->second);
      if (!locks.back().field.empty()) continue;
    }
    // In a heap block allocated before the lock was first taken (the block then, when a
    // later one took its memory): its type's field, where the allocation site says the type.
    const auto first_block = first_blocks_.find(obj);
    const HeapRef* h = first_block != first_blocks_.end() ? &first_block->second
                       : heap_at_                         ? heap_at_(obj)
                                                          : nullptr;
    if (h && h->valid && h->index < st.first_acquire.index) {
      const std::vector<SideRef> sides{st.first_acquire};
      std::string name = HeapName(*h, obj, &sides);
      if (name.find(" in heap block allocated at ") != std::string::npos) {
        locks.back().field = std::move(name);
      }
    }
  }
  std::sort(locks.begin(), locks.end(),
            [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
  // The user frames of each stack, innermost first, as (function, line) keys of call sites.
  auto user_frames = [](const Stack& s) {
    std::vector<const Frame*> out;
    for (const Frame& f : s) {
      if (!f.function.empty() && !IsSystemFrame(f)) out.push_back(&f);
    }
    return out;
  };
  auto site_key = [](const Frame* f) {
    return f->function + "\n" + f->file + ":" + std::to_string(f->line);
  };
  std::map<std::string, std::set<uint64_t>> locks_at_site;
  for (const Candidate& l : locks) {
    auto frames = user_frames(l.stack);
    if (!frames.empty()) locks_at_site[site_key(frames[0])].insert(l.obj);
  }
  std::map<std::string, int> seen;
  for (const Candidate& l : locks) {
    if (!l.field.empty()) {
      std::string name = l.field;
      if (int k = ++seen[name]; k > 1) name += " #" + std::to_string(k);
      fallback_names_[l.obj] = name;
      continue;
    }
    auto frames = user_frames(l.stack);
    std::string fn;
    for (const Frame* f : frames) {
      auto it = locks_at_site.find(site_key(f));
      if (it == locks_at_site.end() || it->second.size() < 2) {
        fn = f->function;
        break;
      }
    }
    if (fn.empty() && !frames.empty()) fn = frames.back()->function;  // wrappers all the way
    if (fn.empty()) {
      for (const Frame& f : l.stack) {
        if (!f.function.empty()) {
          fn = f.function;
          break;
        }
      }
    }
    if (fn.empty()) continue;  // no symbols: the address names it
    std::string name = std::string(l.rw ? "rwlock" : "lock") + " first taken in " + fn;
    int k = ++seen[name];
    if (k > 1) name += " #" + std::to_string(k);
    fallback_names_[l.obj] = name;
  }
}

std::string Namer::ObjectName(uint64_t obj, ObjectKind kind) {
  auto it = object_names_.find(obj);
  if (it != object_names_.end() && !it->second.empty()) return it->second;
  auto cached = fallback_names_.find(obj);
  if (cached != fallback_names_.end()) return cached->second;
  std::string name = DataSymbol(obj);
  if (name.empty()) {
    auto l = locks_.find(obj);
    if (l != locks_.end() && !lock_names_built_) {
      BuildLockNames();
      cached = fallback_names_.find(obj);
      if (cached != fallback_names_.end()) return cached->second;
    }
    if (auto on_stack = stack_objects_.find(obj); on_stack != stack_objects_.end()) {
      name = LocalName(obj, on_stack->second);
      if (!name.empty()) return fallback_names_[obj] = name;
    }
    const HeapRef* h = heap_at_ && kind != ObjectKind::kLock ? heap_at_(obj) : nullptr;
    if (h && h->valid) {
      name = HeapName(*h, obj, nullptr);
      fallback_names_[obj] = name;
      return name;
    }
    const bool rw = l != locks_.end() &&
                    l->second.type == static_cast<uint16_t>(trace::LockType::kRwLock);
    const char* prefix = l != locks_.end() ? (rw ? "rwlock@" : "mutex@")
                         : kind == ObjectKind::kCond ? "cond@"
                         : kind == ObjectKind::kSem  ? "sem@"
                         : kind == ObjectKind::kWord ? "futex@"
                                                     : "mutex@";
    name = prefix + Hex(LocalAddress(obj));  // as its own process saw it
  }
  fallback_names_[obj] = name;
  return name;
}

std::string Namer::ShortSite(const SideRef& s) {
  const Frame f = UserFrame(s.site, s.stack);
  if (f.file.empty()) return f.function.empty() ? Hex(s.site) : f.function;
  const std::string base = f.file.substr(f.file.find_last_of('/') + 1);
  return f.line > 0 ? base + ":" + std::to_string(f.line) : base;
}

}  // namespace threadlens::analysis
