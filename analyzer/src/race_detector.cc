// FastTrack race detection over the merged event stream (see race_detector.h).
#include "race_detector.h"

namespace threadlens::analysis {

void RaceDetector::AddThread(uint32_t t, uint32_t tid) {
  AddThread(t);
  if (t >= tids_.size()) tids_.resize(t + 1, 0);
  tids_[t] = tid;
}

void RaceDetector::AddThread(uint32_t t) {
  if (t >= clocks_.size()) clocks_.resize(t + 1);
  if (clocks_[t].Get(t) == 0) clocks_[t].Set(t, 1);
}

void RaceDetector::Fork(uint32_t parent, uint32_t child) {
  AddThread(parent);
  AddThread(child);
  clocks_[child].Join(clocks_[parent]);
  clocks_[parent].Tick(parent);
}

void RaceDetector::Join(uint32_t joiner, uint32_t child) {
  AddThread(joiner);
  AddThread(child);
  clocks_[joiner].Join(clocks_[child]);
  clocks_[child].Tick(child);
}

void RaceDetector::Acquire(uint32_t t, uint64_t lock, bool shared) {
  auto it = locks_.find(lock);
  if (it == locks_.end()) return;
  clocks_[t].Join(it->second.writes);
  if (!shared) clocks_[t].Join(it->second.reads);
}

void RaceDetector::Release(uint32_t t, uint64_t lock, bool shared) {
  LockClocks& l = locks_[lock];
  (shared ? l.reads : l.writes).Join(clocks_[t]);
  clocks_[t].Tick(t);
}

void RaceDetector::SyncAcquire(uint32_t t, uint64_t key) {
  auto it = sync_.find(key);
  if (it != sync_.end()) clocks_[t].Join(it->second);
}

void RaceDetector::SyncRelease(uint32_t t, uint64_t key) {
  sync_[key].Join(clocks_[t]);
  clocks_[t].Tick(t);
}

void RaceDetector::Access(uint32_t t, const SideRef& side, bool write) {
  const VectorClock& c = clocks_[t];
  const uint32_t now = c.Get(t);
  const uint64_t addr = side.obj;
  bool inserted;
  VarState& v = vars_.FindOrInsert(addr, inserted);
  auto races = [&](uint32_t thread, uint32_t clock) {
    return clock != 0 && thread != t && clock > c.Get(thread);
  };
  if (!write) {
    if (v.shared_reads < 0) {
      if (v.read_clock == now && v.read_thread == t) return;  // same epoch
    } else {
      const auto& rs = read_sets_[v.shared_reads];
      if (t < rs.size() && rs[t].clock == now) return;
    }
    if (races(v.write_thread, v.write_clock)) {
      Report(Shadow{Unpack(v.write, addr, v.write_thread, Op::kWrite), v.write_thread,
                    v.write_clock},
             side, addr);
    }
    if (v.shared_reads < 0) {
      if (v.read_clock == 0 || v.read_thread == t || v.read_clock <= c.Get(v.read_thread)) {
        v.read_thread = t;
        v.read_clock = now;
        v.read = Pack(side);
        return;
      }
      // Two concurrent reads: keep one read per thread from now on.
      int32_t idx;
      if (!free_read_sets_.empty()) {
        idx = free_read_sets_.back();
        free_read_sets_.pop_back();
      } else {
        idx = static_cast<int32_t>(read_sets_.size());
        read_sets_.emplace_back();
      }
      auto& rs = read_sets_[idx];
      rs.assign(std::max<size_t>(clocks_.size(), std::max(t, v.read_thread) + 1), Shadow{});
      rs[v.read_thread] =
          Shadow{Unpack(v.read, addr, v.read_thread, Op::kRead), v.read_thread, v.read_clock};
      v.shared_reads = idx;
      v.read_clock = 0;
    }
    auto& rs = read_sets_[v.shared_reads];
    if (t >= rs.size()) rs.resize(t + 1);
    rs[t] = Shadow{side, t, now};
    return;
  }
  if (v.write_clock == now && v.write_thread == t) return;  // same epoch
  if (races(v.write_thread, v.write_clock)) {
    Report(Shadow{Unpack(v.write, addr, v.write_thread, Op::kWrite), v.write_thread,
                  v.write_clock},
           side, addr);
  }
  if (v.shared_reads < 0) {
    if (races(v.read_thread, v.read_clock)) {
      Report(Shadow{Unpack(v.read, addr, v.read_thread, Op::kRead), v.read_thread,
                    v.read_clock},
             side, addr);
    }
  } else {
    auto& rs = read_sets_[v.shared_reads];
    for (const Shadow& r : rs) {
      if (races(r.thread, r.clock)) Report(r, side, addr);
    }
    rs.clear();
    free_read_sets_.push_back(v.shared_reads);
    v.shared_reads = -1;
    v.read_clock = 0;
  }
  v.write_thread = t;
  v.write_clock = now;
  v.write = Pack(side);
}

void RaceDetector::Drop(uint64_t addr) {
  VarState* v = vars_.Find(addr);
  if (!v) return;
  if (v->shared_reads >= 0) {
    read_sets_[v->shared_reads].clear();
    free_read_sets_.push_back(v->shared_reads);
  }
  vars_.Erase(addr);
}

void RaceDetector::Forget(uint64_t addr, uint64_t size) {
  if (size <= 4 * vars_.size() || size <= 64) {
    for (uint64_t a = addr; a < addr + size; ++a) Drop(a);
    return;
  }
  std::vector<uint64_t> doomed;
  vars_.ForEach([&](uint64_t key, const VarState&) {
    if (key >= addr && key < addr + size) doomed.push_back(key);
  });
  for (uint64_t a : doomed) Drop(a);
}

void RaceDetector::Report(const Shadow& prior, const SideRef& now, uint64_t addr) {
  ++races_seen_;
  uint64_t a = prior.info.site, b = now.site;
  if (a > b) std::swap(a, b);
  if (a == 0 && b == 0) a = addr;  // no sites at all: one report per variable
  // Past the cap the set stops growing: memory stays bounded by the reports kept.
  if (findings_.size() >= max_reports_) {
    if (!reported_.count({a, b})) truncated_ = true;
    return;
  }
  if (!reported_.insert({a, b}).second) return;
  RawFinding f;
  f.kind = "race";
  f.severity = Severity::kError;
  f.sides = {prior.info, now};
  f.vars = {addr};
  f.tids = {prior.info.tid, now.tid};
  f.sort_key = now.index;
  findings_.push_back(std::move(f));
}

}  // namespace threadlens::analysis
