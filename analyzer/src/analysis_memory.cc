// The analysis driver's memory events: plain and atomic accesses, heap blocks' lifetime,
// and the bytes of synchronization objects, fed to the happens-before engine and the race
// detector.
#include <algorithm>

#include "analysis.h"
#include "process_tree.h"

namespace threadlens::analysis {

using trace::EventKind;

void Analysis::HandleMemory(ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  const EventKind kind = e.kind();
  switch (kind) {
    case EventKind::kRead:
    case EventKind::kWrite: {
      const Op op = kind == EventKind::kRead ? Op::kRead : Op::kWrite;
      // aux16 = 0 with a length in seq: a range (a coalesced scan, a libc call's buffer).
      // (A side per branch: the range's leaves this function, the access's stays in registers.)
      if (ev.aux16 != 0 || ev.seq == 0) {
        SideRef s = Side(t, op, e);
        s.size = ev.aux16;
        race_.Access(t.dense, s, kind == EventKind::kWrite, false);
        // A plain access is the instrumented code's own (not a library call's): its pc is
        // in the thread's innermost frame, which names a local other threads race on.
        if (t.mark_wants_pc) {
          t.marks.back().pc = ev.site;
          t.mark_wants_pc = false;
        }
      } else {
        // The report's size: each element of a scan of wider elements (as if recorded one by
        // one), the whole of a byte range (a libc call's buffer: localtime's 56-byte struct tm
        // read "(1 byte)").
        SideRef s = Side(t, op, e);
        s.size = ev.aux32 > 1 ? ev.aux32
                              : static_cast<uint32_t>(std::min<uint64_t>(ev.seq, 65535));
        race_.Range(t.dense, s, kind == EventKind::kWrite, ev.seq);
      }
      break;
    }
    default: {
      // An atomic is an access too: it races with plain accesses of its bytes. The load
      // side synchronizes before the access, the store side after it.
      const bool load = kind != EventKind::kAtomicStore, store = kind != EventKind::kAtomicLoad;
      const uint8_t mo = ev.flags & trace::kMemoryOrderMask;
      if (load) hb_.AtomicLoad(t.dense, ev.obj, mo);
      if (!(ev.flags & trace::kAtomicUnchecked)) {  // else the thread ignored it as an access
        SideRef s = Side(t, store ? Op::kWrite : Op::kRead, e);
        s.size = ev.aux16 ? ev.aux16 : 1;
        s.atomic = true;
        race_.Access(t.dense, s, store, true);
      }
      if (kind == EventKind::kAtomicStore) hb_.AtomicStore(t.dense, ev.obj, mo);
      if (kind == EventKind::kAtomicRmw) hb_.AtomicRmwStore(t.dense, ev.obj, mo);
      break;
    }
  }
}

void Analysis::HandleHeap(ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  if (e.kind() == EventKind::kAlloc) {
    const SideRef side = Side(t, Op::kAlloc, e);
    HeapRef block{ev.obj, ev.seq, ev.site, t.stack, true, false, ev.aux32, t.tid, side.index};
    if (!map_names_.empty()) {
      if (auto it = map_names_.find(t.dense); it != map_names_.end()) {
        if (it->second.first == ev.obj) {
          block.mapping = true;
          block.file = it->second.second;
          if (block.file) file_maps_[t.dense] = {ev.obj, ev.seq};
        }
        map_names_.erase(it);
      }
    }
    // The block's life covers the allocator's slack past the size asked for too: a program
    // may use it (malloc_usable_size), and the block's free covers it.
    const uint64_t usable = ev.seq + ev.aux32;
    bool inserted;
    live_sizes_.FindOrInsert(ev.obj, inserted) = usable;  // replaces a block never freed
    if (predict_) lifetimes_.Alloc(ev.obj, ev.seq, block);
    race_.Alloc(t.dense, side, usable, block,
                ev.flags & trace::kHeapUnchecked);
    return;
  }
  if (predict_) lifetimes_.Free(ev.obj);
  const bool quiet = ev.flags & trace::kHeapUnchecked;
  const uint64_t* size = live_sizes_.Find(ev.obj);
  if (!size) {
    // A block the program did not allocate itself (the C library did, for strdup or
    // getline): its free still ends its life, over the size the tracer read.
    if (ev.seq) race_.Free(t.dense, Side(t, Op::kFree, e), ev.seq, quiet);
    return;
  }
  race_.Free(t.dense, Side(t, Op::kFree, e), *size, quiet);
  live_sizes_.Erase(ev.obj);
}

void Analysis::Forked(uint64_t key, ThreadCtx& t) {
  auto it = fork_parents_.find(key);
  if (it == fork_parents_.end()) return;
  const uint32_t parent = it->second.process, child = ProcessIndexOfTid(t.tid);
  const std::vector<Held> held = std::move(it->second.held);
  std::vector<Held> file_locks = std::move(it->second.file_locks);
  fork_parents_.erase(it);
  if (parent == child) return;
  InheritLocks(held, parent, child, t);
  // A file lock belongs to the open file description, which the child's copies of its
  // parent's descriptors share: the child holds it too, until it closes them or ends.
  for (Held& h : file_locks) {
    h.acquired.tid = t.tid;
    if (std::none_of(t.file_locks.begin(), t.file_locks.end(),
                     [&](const Held& f) { return f.lock == h.lock; })) {
      t.file_locks.push_back(h);
    }
  }
  // The child's memory is a copy of its parent's: the blocks live at the fork are live in the
  // child at the same addresses (in its own tag), where its frees end them and races name them.
  const uint64_t from = ProcessAddressBase(parent), span = ProcessAddressBase(1);
  const uint64_t to = ProcessAddressBase(child);
  for (const auto& [base, size] : LiveBlocksIn(from, span)) {
    bool inserted;
    live_sizes_.FindOrInsert(base - from + to, inserted) = size;
  }
  if (opts_.races) race_.CopyBlocks(from, span, to);
}

std::vector<std::pair<uint64_t, uint64_t>> Analysis::LiveBlocksIn(uint64_t from,
                                                                  uint64_t span) const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  live_sizes_.ForEach([&](uint64_t base, uint64_t size) {
    if (base - from < span) out.emplace_back(base, size);
  });
  return out;
}

void Analysis::ProcessEnded(uint32_t index) {
  // One process alone: its end is the trace's, nothing is left to name or free.
  if (source_.Processes().empty()) return;
  // A fork copied the parent's live blocks into the child's tag: kept past the child's end,
  // they would pile up, a copy of the parent's heap per child (a server forking a child per
  // request: time and memory growing with the requests).
  const uint64_t from = ProcessAddressBase(index), span = ProcessAddressBase(1);
  for (const auto& [base, size] : LiveBlocksIn(from, span)) live_sizes_.Erase(base);
  if (opts_.races) race_.DropBlocks(from, span, index_);
}

void Analysis::InheritLocks(const std::vector<Held>& held, uint32_t parent, uint32_t child,
                            ThreadCtx& t) {
  // The child's copy of a lock its parent's forking thread held is held by the child's thread
  // (pthread_atfork handlers lock in the parent and unlock in both). Locks in memory shared
  // between the processes stay the parent thread's.
  const uint64_t from = ProcessAddressBase(parent), span = ProcessAddressBase(1);
  for (const Held& h : held) {
    if (h.lock - from >= span) continue;
    SideRef s = h.acquired;
    s.obj = h.lock - from + ProcessAddressBase(child);
    s.tid = t.tid;
    s.shared = h.shared;
    for (uint32_t k = 0; k < h.depth; ++k) {
      if (monitor_.OnAcquired(t, s, h.shared, 0)) t.lockset = locksets_.Child(t.lockset, s.obj);
    }
  }
}

void Analysis::FindOpenMPRuntime(EventSource& source) {
  for (const ModuleInfo& m : source.Modules()) {
    const size_t slash = m.path.rfind('/');
    const std::string_view name = std::string_view(m.path).substr(slash + 1);
    if (name.starts_with("libomp.so") || name.starts_with("libgomp.so") ||
        name.starts_with("libiomp5.so")) {
      openmp_text_.emplace_back(m.base, m.size);
    }
  }
}

bool Analysis::Remapped(uint64_t addr, uint64_t ts, bool ordered, uint64_t freed) {
  // A thread's stack the C library mapped there after the free (the kernel ends an unmapping
  // before it maps the range again), whether or not the free happens before the use. Not a
  // stack the program gave its thread: that may be the freed block itself.
  if (namer_.Stacks().StackSince(addr, ts, freed)) return true;
  if (!ordered) return false;
  // A descriptor's object (above user space, below the tag bits): its number comes back from
  // calls the tracer does not see (the C library's own opens), so a use after its close is
  // left to the race check, as in ThreadSanitizer. (A process's tag is no such address: a
  // child's use after free is reported as its parent's is.)
  constexpr uint64_t kUserSpace = 1ull << 47, kUntagged = (1ull << 60) - 1;
  if (LocalAddress(addr & kUntagged) >= kUserSpace) return true;
  for (const ModuleInfo& m : source_.Modules()) {
    if (addr - m.base < m.size) return true;
  }
  return false;
}

void Analysis::SyncObjectAccess(const ThreadCtx& t, const StreamEvent& e, uint64_t size,
                                bool write) {
  // STD traces number locks and variables from 1 alike: their locks are no memory.
  if (!opts_.races || e.ev.obj == 0 || std_trace_) return;
  for (const auto& [base, size] : openmp_text_) {
    if (e.ev.site - base < size) return;
  }
  SideRef s = Side(t, write ? Op::kWrite : Op::kRead, e);
  if (write) {
    s.size = static_cast<uint32_t>(std::min<uint64_t>(size, 65535));
    race_.Range(t.dense, s, true, size);
  } else {
    s.size = static_cast<uint16_t>(size);
    s.atomic = true;
    race_.Access(t.dense, s, false, true);
  }
}

void Analysis::EnterFrame(ThreadCtx& t, const trace::Event& ev) {
  // Where the frame lies names the locals of races on this thread's stack.
  if (ev.obj) {
    if (t.dense >= frame_memo_.size()) frame_memo_.resize(t.dense + 1);
    auto& memo = frame_memo_[t.dense];
    if (!memo) memo = std::make_unique<std::array<FrameMemo, kFrameMemo>>();
    FrameMemo& m = (*memo)[t.stack % kFrameMemo];
    if (m.node != t.stack || m.sp != ev.obj || m.fp_offset != ev.aux32) {
      namer_.Frames().Record(t.tid, t.stack, {ev.obj, ev.aux32});
      m = {ev.obj, t.stack, ev.aux32};
    }
  }
  MarkFrames(t);
}

void Analysis::ExitFrame(ThreadCtx& t, uint64_t resume) {
  MarkFrames(t);
  t.marks.back().pc = resume;
}

void Analysis::PruneMarks(ThreadCtx& t) {
  // Marks before the one in force at the earliest access still to report are not needed:
  // looked for once per 32 marks at least (where they are still needed, the ring grows).
  const uint64_t keep = race_.EarliestUnreported(index_);
  while (t.marks.size() > 1 && t.marks[1].at <= keep) t.marks.pop_front();
  t.marks_pruned_at = std::max<size_t>(64, t.marks.size() + 32);
}

void Analysis::DropMarksAfter(ThreadCtx& t) {
  ended_marks_.emplace_back(index_, t.dense);
  // A race reported later is on an access after these ends: its stack was no ended
  // thread's (a server that starts a thread per connection would keep every thread's).
  const uint64_t keep = race_.EarliestUnreported(index_);
  while (!ended_marks_.empty() && ended_marks_.front().first < keep) {
    ThreadCtx& ended = threads_[ended_marks_.front().second];
    ended.marks = {};
    ended.mark_wants_pc = false;  // (a damaged trace may go on past the end)
    ended_marks_.pop_front();
  }
}

bool Analysis::FirstLookOnStack(uint64_t obj) {
  // Frames are followed with races only (EnterFrame).
  return opts_.races && stack_looks_.size() < kStackLooks && stack_looks_.insert(obj).second;
}

void Analysis::NoteSyncOnStack(uint64_t obj, const SideRef& s) {
  if (!FirstLookOnStack(obj)) return;
  const SideRef owner = StackOwnerAt(obj, s.ts, s.index);
  if (owner.tid != 0) namer_.NoteOnStack(obj, owner);
}

SideRef Analysis::StackOwnerAt(uint64_t addr, uint64_t ts, uint64_t index) {
  SideRef s;
  const uint32_t owner = namer_.Stacks().OwnerAt(addr, ts);
  const auto it = owner ? current_.find(owner) : current_.end();
  if (it == current_.end()) return s;
  // The owner's frames at the access: the last mark made before it, with the pc of its
  // innermost frame when known (a mark older than the ones kept would be the owner's first,
  // or gone).
  const Ring<ThreadCtx::FrameMark>& marks = threads_[it->second].marks;
  size_t lo = 0, hi = marks.size();  // the first mark made after the access
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (index < marks[mid].at) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (lo == 0) return s;
  const ThreadCtx::FrameMark& m = marks[lo - 1];
  // No pc (the innermost frame made no access of its own yet): its callers' frames are still
  // placed, each at its call.
  if (m.node == 0) return s;
  s.tid = owner;
  s.stack = m.node;
  s.site = m.pc;
  return s;
}

}  // namespace threadlens::analysis
