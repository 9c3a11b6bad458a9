// Race detection over the shadow memory (see race_detector.h).
#include "race_detector.h"

#include <algorithm>

namespace threadlens::analysis {

void RaceDetector::AddThread(uint32_t t, uint32_t tid) {
  // (Its clock slot is the engine's to give, at its fork.)
  if (t >= tids_.size()) tids_.resize(t + 1, 0);
  tids_[t] = tid;
}

void RaceDetector::Range(uint32_t t, const SideRef& side, bool write, uint64_t bytes) {
  const uint32_t slot = CheckedSlot(t);
  if (slot == kUnchecked) return;
  if (bytes > kMaxRangeBytes) {
    bytes = kMaxRangeBytes;
    ++ranges_cut_;
  }
  if (write) hb_.PlainWrite(side.obj, bytes);
  Emit(t, slot, side, bytes, side.size, write ? kCellWrite : 0, nullptr);
}

void RaceDetector::Lifetime(uint32_t t, const SideRef& side, uint64_t size, const HeapOp& h,
                            bool quiet) {
  const uint32_t slot = CheckedSlot(t);
  if (slot == kUnchecked) return;
  recent_.Lifetime(side.obj, size);
  // The whole block, as far as an op can say (the shadow keeps its cost to the pages it has).
  if (size > kMaxLifetimeBytes) ++lifetimes_cut_;
  const uint64_t bytes = std::clamp<uint64_t>(size, 1, kMaxLifetimeBytes);
  hb_.PlainWrite(side.obj, std::max<uint64_t>(size, 1));
  // A quiet one is before every epoch of every thread.
  const uint8_t flags =
      kCellWrite | (h.alloc ? kCellAlloc : kCellFree) | (quiet ? kCellQuiet : 0);
  Emit(t, slot, side, bytes, 0, flags, &h);
}

void RaceDetector::Alloc(uint32_t t, const SideRef& side, uint64_t size, const HeapRef& block,
                         bool quiet) {
  Lifetime(t, side, size, HeapOp{0, true, block}, quiet);
}

void RaceDetector::Free(uint32_t t, const SideRef& side, uint64_t size, bool quiet) {
  Lifetime(t, side, size, HeapOp{0, false, HeapRef{side.obj, 0, 0, 0, false, false}}, quiet);
}

void RaceDetector::HeapChange(HeapOp h) {
  if (!threaded_) return ApplyHeap(h);
  // Applied at the next access of the filling batch, in stream order with its other blocks:
  // after the races of every access before it, before those of the next.
  Batch& b = batches_[filling_];
  h.op = b.count;
  b.heap.push_back(h);
}

void RaceDetector::CopyBlocks(uint64_t from, uint64_t span, uint64_t to) {
  HeapChange(HeapOp{0, true, HeapRef{from, span, 0, 0, false, false}, to});
}

void RaceDetector::DropBlocks(uint64_t from, uint64_t span, uint64_t index) {
  HeapOp h{0, false, HeapRef{from, span, 0, 0, false, false}};
  h.block.index = index;
  h.drop = true;
  HeapChange(h);
}

void RaceDetector::ApplyHeap(const HeapOp& h) {
  if (h.drop) {
    names_.Drop(h.block.base, h.block.size, h.block);
  } else if (h.copy_to) {
    names_.Copy(h.block.base, h.block.size, h.copy_to);
  } else if (h.alloc) {
    names_.Alloc(h.block);
  } else if (HeapRef* live = names_.Live(h.block.base)) {
    live->freed = true;
  }
}

namespace {

Op OpOf(uint8_t flags) {
  if (flags & kCellFree) return Op::kFree;
  if (flags & kCellAlloc) return Op::kAlloc;
  return flags & kCellWrite ? Op::kWrite : Op::kRead;
}

}  // namespace

bool RaceDetector::RmwHalf(const ShadowCell& prior, uint64_t base, const ShadowAccess& now) {
  if (now.index != rmw_cur_.index) {
    const bool next = now.index == rmw_cur_.index + 1;
    std::swap(rmw_prev_, rmw_cur_);  // keeps both vectors' room: many races, no allocation
    if (!next) rmw_prev_.read = false;
    rmw_cur_.priors.clear();
    rmw_cur_.index = now.index;
    rmw_cur_.thread = now.thread;
    rmw_cur_.stack = WhereAt(now.where).stack;
    rmw_cur_.read = !(now.flags & (kCellWrite | kCellAtomic));
  }
  if (rmw_cur_.priors.size() < RmwTrack::kMaxPriors) rmw_cur_.priors.push_back({prior.index, base});
  // gcc instruments `x++` as a read and then a write of x (clang as the write alone): a plain
  // write right after its thread's plain read, in the same frame, racing with an earlier
  // access the read raced with on the same granule, is that race's other half.
  if (!rmw_prev_.read || (now.flags & (kCellWrite | kCellAtomic)) != kCellWrite) return false;
  if (now.thread != rmw_prev_.thread || WhereAt(now.where).stack != rmw_prev_.stack) {
    return false;
  }
  const std::pair<uint64_t, uint64_t> key{prior.index, base};
  return std::find(rmw_prev_.priors.begin(), rmw_prev_.priors.end(), key) !=
         rmw_prev_.priors.end();
}

bool RaceDetector::RestOfRunIsCounted(const ShadowCell& prior, const ShadowAccess& now) const {
  // Report would only count them: nothing observes each granule, the read-modify-write
  // track is full, the report is per site pair (not per variable) and made or past the cap,
  // and no granule can be left out as remapped freed memory.
  if (observer_ || rmw_cur_.index != now.index ||
      rmw_cur_.priors.size() < RmwTrack::kMaxPriors ||
      (WhereAt(prior.where).site == 0 && WhereAt(now.where).site == 0)) {
    return false;
  }
  if ((prior.flags & kCellFree) && !(now.flags & (kCellFree | kCellAlloc))) return false;
  return findings_.size() >= max_reports_ ||
         reported_.count(SitePair(WhereAt(prior.where).site, WhereAt(now.where).site));
}

bool RaceDetector::ReportAgain(const ShadowCell& prior, const ShadowAccess& now,
                               const std::pair<uint64_t, uint64_t>& sites) {
  // Half the cap stays for pairs of lines not reported yet.
  if (findings_.size() >= max_reports_ / 2) return false;
  uint8_t& n = again_[sites];
  if (n >= kReportsAgain || !NewCalls(prior, now)) return false;
  ++n;
  return true;
}

bool RaceDetector::NewCalls(const ShadowCell& prior, const ShadowAccess& now) {
  const Where& p = WhereAt(prior.where);
  const Where& n = WhereAt(now.where);
  return called_.insert(SitePair(CalledAt(p.site, p.stack), CalledAt(n.site, n.stack))).second;
}

void RaceDetector::Report(const ShadowCell& prior, uint64_t base, uint8_t overlap,
                          const ShadowAccess& now) {
  ++races_seen_;
  if (observer_) observer_(base, overlap);
  if (RmwHalf(prior, base, now)) return;
  const uint64_t addr = base + __builtin_ctz(overlap);
  // A use after free ordered after the free (the shadow reports those too).
  const bool after_free = (prior.flags & kCellFree) && !(now.flags & (kCellFree | kCellAlloc)) &&
                          (prior.thread == now.thread || prior.clock <= now.clock->Get(prior.thread));
  const bool use_of_freed = (prior.flags & kCellFree) && !(now.flags & (kCellFree | kCellAlloc));
  if (use_of_freed && remapped_ && remapped_(addr, now.ts, after_free, prior.ts)) {
    return;
  }
  if ((now.flags & kCellAlloc) && !(prior.flags & kCellFree) && stack_gone_ &&
      stack_gone_(addr, prior.ts, now.ts)) {
    return;
  }
  const Where& pw = WhereAt(prior.where);
  const Where& nw = WhereAt(now.where);
  auto [a, b] = SitePair(pw.site, nw.site);
  if (a == 0 && b == 0) a = addr;  // no sites at all: one report per variable
  // Past the cap the set stops growing: memory stays bounded by the reports kept.
  if (findings_.size() >= max_reports_) {
    if (!reported_.count({a, b})) truncated_ = true;
    return;
  }
  if (!reported_.insert({a, b}).second) {
    if (!calls_ || !ReportAgain(prior, now, {a, b})) return;
  } else if (calls_) {
    NewCalls(prior, now);
  }
  // Cells hold clock slots: the thread is the slot's at the cell's epoch.
  auto side = [&](uint32_t slot, uint32_t epoch, uint8_t flags, uint64_t site, uint64_t ts,
                  uint64_t index, uint16_t size, uint32_t stack, uint32_t lockset) {
    SideRef s;
    s.obj = addr;
    s.site = site;
    s.ts = ts;
    s.index = index;
    s.size = size;
    const uint32_t thread = hb_.ThreadAt(slot, epoch);
    s.tid = thread < tids_.size() ? tids_[thread] : 0;
    s.stack = stack;
    s.lockset = lockset;
    s.op = OpOf(flags);
    s.atomic = flags & kCellAtomic;
    return s;
  };
  RawFinding f;
  f.kind = "race";
  f.severity = Severity::kError;
  f.sides = {side(prior.thread, prior.clock, prior.flags, pw.site, prior.ts, prior.index,
                  static_cast<uint16_t>(prior.size), pw.stack, pw.lockset),
             side(now.thread, now.now, now.flags, nw.site, now.ts, now.index, now.size, nw.stack,
                  nw.lockset)};
  if ((prior.flags | now.flags) & kCellFree) f.subkind = "use-after-free";
  if (after_free) f.relation = "happens-before";  // the free happens before the use
  f.vars = {addr};
  f.tids = {f.sides[0].tid, f.sides[1].tid};
  f.sort_key = now.index;
  if (const HeapRef* h = names_.Containing(addr)) {
    f.heap = *h;
  } else if (stack_owner_) {
    f.owner = stack_owner_(addr, now.ts, now.index);
  }
  findings_.push_back(std::move(f));
}

}  // namespace threadlens::analysis
