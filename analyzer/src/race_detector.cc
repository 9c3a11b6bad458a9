// Race detection over the shadow memory (see race_detector.h).
#include "race_detector.h"

#include <algorithm>

namespace threadlens::analysis {

void RaceDetector::AddThread(uint32_t t, uint32_t tid) {
  hb_.AddThread(t);
  if (t >= tids_.size()) tids_.resize(t + 1, 0);
  tids_[t] = tid;
}

ShadowAccess RaceDetector::Make(uint32_t t, const SideRef& s, uint8_t flags) const {
  ShadowAccess a;
  a.thread = t;
  a.clock = &hb_.Clock(t);
  a.now = hb_.Now(t);
  a.flags = flags;
  a.size = s.size;
  a.stack = s.stack;
  a.lockset = s.lockset;
  a.site = s.site;
  a.index = s.index;
  a.ts = s.ts;
  return a;
}

void RaceDetector::Access(uint32_t t, const SideRef& side, bool write, bool atomic) {
  const uint8_t flags = (write ? kCellWrite : 0) | (atomic ? kCellAtomic : 0);
  const uint64_t size = side.size ? side.size : 1;
  if (shadow_.Access(side.obj, size, Make(t, side, flags)) && hb_.HasAtomics()) {
    hb_.EndReleaseSequences(side.obj, size);
  }
}

void RaceDetector::Range(uint32_t t, const SideRef& side, bool write, uint64_t bytes) {
  if (bytes > kMaxRangeBytes) {
    bytes = kMaxRangeBytes;
    ++ranges_cut_;
  }
  if (shadow_.Access(side.obj, bytes, Make(t, side, write ? kCellWrite : 0)) &&
      hb_.HasAtomics()) {
    hb_.EndReleaseSequences(side.obj, bytes);
  }
}

void RaceDetector::Lifetime(uint32_t t, const SideRef& side, uint64_t size, bool free) {
  size = std::clamp<uint64_t>(size, 1, kMaxRangeBytes);
  SideRef s = side;
  s.size = 0;
  const ShadowAccess a = Make(t, s, kCellWrite | (free ? kCellFree : kCellAlloc));
  const bool met = free ? shadow_.Free(side.obj, size, a) : shadow_.Alloc(side.obj, size, a);
  if (met && hb_.HasAtomics()) hb_.EndReleaseSequences(side.obj, size);
}

namespace {

Op OpOf(uint8_t flags) {
  if (flags & kCellFree) return Op::kFree;
  if (flags & kCellAlloc) return Op::kAlloc;
  return flags & kCellWrite ? Op::kWrite : Op::kRead;
}

}  // namespace

void RaceDetector::Race(const ShadowCell& prior, uint64_t base, uint8_t overlap,
                        const ShadowAccess& now) {
  ++races_seen_;
  if (observer_) observer_(base, overlap);
  const uint64_t addr = base + __builtin_ctz(overlap);
  uint64_t a = prior.site, b = now.site;
  if (a > b) std::swap(a, b);
  if (a == 0 && b == 0) a = addr;  // no sites at all: one report per variable
  // Past the cap the set stops growing: memory stays bounded by the reports kept.
  if (findings_.size() >= max_reports_) {
    if (!reported_.count({a, b})) truncated_ = true;
    return;
  }
  if (!reported_.insert({a, b}).second) return;
  auto side = [&](uint32_t thread, uint8_t flags, uint64_t site, uint64_t ts, uint64_t index,
                  uint16_t size, uint32_t stack, uint32_t lockset) {
    SideRef s;
    s.obj = addr;
    s.site = site;
    s.ts = ts;
    s.index = index;
    s.size = size;
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
  f.sides = {side(prior.thread, prior.flags, prior.site, prior.ts, prior.index,
                  static_cast<uint16_t>(prior.size), prior.stack, prior.lockset),
             side(now.thread, now.flags, now.site, now.ts, now.index, now.size, now.stack,
                  now.lockset)};
  if ((prior.flags | now.flags) & kCellFree) f.subkind = "use-after-free";
  f.vars = {addr};
  f.tids = {f.sides[0].tid, f.sides[1].tid};
  f.sort_key = now.index;
  findings_.push_back(std::move(f));
}

}  // namespace threadlens::analysis
