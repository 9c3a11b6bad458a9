// WCP by vector clocks, one pass in trace order (see predict_wcp.h).
#include "predict_wcp.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "flat_map.h"
#include "lock_sets.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

namespace {

void Join(uint32_t* a, const uint32_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) a[i] = std::max(a[i], b[i]);
}
bool Leq(const uint32_t* a, const uint32_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (a[i] > b[i]) return false;
  }
  return true;
}
uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

// A lock that several threads take: its sections in trace order, each thread's position in
// them (rule b), and its last release's clocks.
struct LockState {
  std::vector<uint32_t> rel_p, rel_h;  // last release: WCP and happens-before clocks
  bool multi = false;
  std::vector<uint32_t> sec_thread;
  std::vector<uint8_t> sec_done;
  std::vector<uint32_t> sec_acq, sec_rel;  // threads values per section
  size_t base = 0;                         // sections dropped from the front
  std::vector<size_t> head;                // per thread: next section to look at (absolute)
};

// A location and the life of its memory as one key: addresses fit in 48 bits. Two that do not
// and collide only merge candidates, which the schedule's replay tells apart.
uint64_t Packed(uint64_t key, uint16_t life) { return key << 16 | life; }

struct GroupKey {
  uint64_t obj;
  uint32_t thread, site, held;
  uint16_t life;
  bool write;
  bool operator==(const GroupKey& o) const {
    return obj == o.obj && thread == o.thread && site == o.site && held == o.held &&
           life == o.life && write == o.write;
  }
};
struct GroupKeyHash {
  size_t operator()(const GroupKey& k) const {
    return Mix(Mix(Mix(Mix(k.obj, k.thread), k.site), k.held), k.life * 2u + k.write);
  }
};
struct Group {
  uint32_t thread, held, site, first, last, epoch;
  bool write, atomic;
};
constexpr uint32_t kNoGroup = ~0u;
// 64 MiB of clocks: beyond, many threads or critical sections that some taker of the lock
// never catches up with.
constexpr size_t kMaxClockValues = WcpRaces::kMaxClockBytes / sizeof(uint32_t);
struct Seen {  // a thread's latest accesses of a location, and their groups
  uint32_t thread, read_epoch, write_epoch, read_group, write_group;
};
struct Loc {
  std::vector<Seen> seen;
  std::vector<uint32_t> groups;
};

struct Open {  // a thread's open outermost section
  uint32_t lock, acquire;
  size_t log_start;
  size_t section;  // absolute index in its lock's list, or npos
};
struct Logged {  // an access made inside some section
  uint64_t key;
  uint16_t life;
  bool write;
};

}  // namespace

bool WcpRaces::CapClocks() {
  clocks_capped_ = true;
  return false;
}

bool WcpRaces::Candidates(uint64_t& budget, std::vector<std::pair<uint32_t, uint32_t>>* out) {
  const uint32_t n = trace_.threads();
  clocks_capped_ = false;
  if (n == 0) return true;
  // Clock values held: the pass stops (incomplete) beyond kMaxClockValues, and does not
  // start when the threads' own clocks are more.
  size_t values = 2 * size_t{n} * n;
  if (values > kMaxClockValues) return CapClocks();
  const bool granular = trace_.Granular();
  std::vector<uint32_t> P(size_t{n} * n, 0), H(size_t{n} * n, 0), C(n);
  for (uint32_t t = 0; t < n; ++t) H[size_t{t} * n + t] = 1;
  auto p_of = [&](uint32_t t) { return &P[size_t{t} * n]; };
  auto h_of = [&](uint32_t t) { return &H[size_t{t} * n]; };
  auto c_of = [&](uint32_t t) {  // WCP clock with the thread's own time
    std::copy(p_of(t), p_of(t) + n, C.begin());
    C[t] = h_of(t)[t];
    return C.data();
  };

  const auto& locks = trace_.Locks();
  std::vector<LockState> ls(locks.size());
  for (size_t l = 0; l < locks.size(); ++l) {
    ls[l].multi = locks[l].by_thread.size() > 1;
    if (ls[l].multi) ls[l].head.assign(n, 0);
  }
  // Per lock taken by several threads: (location, life) -> offset of its 2 clocks.
  std::vector<std::unique_ptr<FlatMap<uint32_t>>> lock_loc(locks.size());
  std::vector<uint32_t> lock_loc_clocks;
  // Per condition variable its last notification, per key the join of its posts: WCP and
  // happens-before clocks.
  using Sent = std::pair<std::vector<uint32_t>, std::vector<uint32_t>>;
  std::unordered_map<uint64_t, Sent> notified, posted;
  std::vector<std::vector<Open>> open(n);
  std::vector<std::vector<Logged>> logged(n);
  std::vector<Logged> acc;  // a section's accesses, sorted

  std::unordered_map<GroupKey, uint32_t, GroupKeyHash> group_of;
  FlatMap<uint32_t> loc_of;  // (location, life) -> index in locs
  std::vector<Loc> locs;
  std::vector<Group> groups;
  std::unordered_set<uint64_t> paired;
  bool complete = true;

  auto key_of = [&](uint64_t obj) { return granular ? obj >> 3 : obj; };
  // Locations (address and life) by their one thread + 1, kMany when several threads access
  // them: the accesses of a location of one thread are never candidates, and need only rule
  // (a)'s bookkeeping (a large buffer filled by one thread is most of a trace's accesses).
  constexpr uint32_t kMany = ~0u;
  FlatMap<uint32_t> thread_of;
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    const PredictTrace::Hot& h = trace_.HotOf(id);
    if (h.op != Op::kRead && h.op != Op::kWrite) continue;
    bool fresh = false;
    uint32_t& who = thread_of.FindOrInsert(Packed(trace_.Obj(id), h.life), h.thread + 1, fresh);
    if (!fresh && who != h.thread + 1) who = kMany;
  }

  for (uint32_t id = 0; id < trace_.size(); ++id) {
    const PredictTrace::Hot& h = trace_.HotOf(id);
    const uint32_t t = h.thread;
    if (t >= n) continue;
    const bool nested = h.flags & PredictTrace::kNested;
    switch (h.op) {
      case Op::kAcquire: {
        const uint32_t l = trace_.LockIndex(id);
        if (l == PredictTrace::kNone) break;
        LockState& s = ls[l];
        if (!s.rel_h.empty()) {
          Join(h_of(t), s.rel_h.data(), n);
          Join(p_of(t), s.rel_p.data(), n);
        }
        size_t section = ~size_t{0};
        if (s.multi) {
          section = s.base + s.sec_thread.size();
          s.sec_thread.push_back(t);
          s.sec_done.push_back(0);
          const uint32_t* c = c_of(t);
          s.sec_acq.insert(s.sec_acq.end(), c, c + n);
          s.sec_rel.resize(s.sec_rel.size() + n, 0);
          values += 2 * size_t{n};
          if (values > kMaxClockValues) return CapClocks();
        }
        open[t].push_back({l, id, logged[t].size(), section});
        break;
      }
      case Op::kRelease: {
        if (nested) break;
        auto it = std::find_if(open[t].begin(), open[t].end(),
                               [&](const Open& o) { return trace_.Link(o.acquire) == id; });
        if (it == open[t].end()) break;
        const Open o = *it;
        open[t].erase(it);
        LockState& s = ls[o.lock];
        if (s.multi) {
          // Rule (b): each earlier section of another thread whose acquire is WCP-before this
          // release has its release WCP-before this one. Sections are walked in trace order.
          const uint32_t* c = c_of(t);
          size_t& head = s.head[t];
          head = std::max(head, s.base);
          while (head < s.base + s.sec_thread.size()) {
            const size_t k = head - s.base;
            if (s.sec_thread[k] != t) {
              if (!s.sec_done[k] || !Leq(&s.sec_acq[k * n], c, n)) break;
              Join(p_of(t), &s.sec_rel[k * n], n);
              c = c_of(t);
            }
            ++head;
          }
          if (o.section != ~size_t{0} && o.section >= s.base) {
            const size_t k = o.section - s.base;
            std::copy(h_of(t), h_of(t) + n, &s.sec_rel[k * n]);
            s.sec_done[k] = 1;
          }
          // Sections every taker of the lock has passed are needed no more.
          size_t low = s.base + s.sec_thread.size();
          for (const auto& a : locks[o.lock].by_thread)
            low = std::min(low, std::max(s.head[a.thread], s.base));
          if (low - s.base > 256 && (low - s.base) * 2 > s.sec_thread.size()) {
            const size_t drop = low - s.base;
            s.sec_thread.erase(s.sec_thread.begin(), s.sec_thread.begin() + drop);
            s.sec_done.erase(s.sec_done.begin(), s.sec_done.begin() + drop);
            s.sec_acq.erase(s.sec_acq.begin(), s.sec_acq.begin() + drop * n);
            s.sec_rel.erase(s.sec_rel.begin(), s.sec_rel.begin() + drop * n);
            s.base = low;
            values -= drop * 2 * n;
          }
          // Rule (a): what the section read and wrote, for later sections that conflict.
          acc.assign(logged[t].begin() + o.log_start, logged[t].end());
          std::sort(acc.begin(), acc.end(), [](const Logged& a, const Logged& b) {
            return std::tie(a.key, a.life, a.write) < std::tie(b.key, b.life, b.write);
          });
          for (size_t i = 0; i < acc.size(); ++i) {
            if (i > 0 && acc[i].key == acc[i - 1].key && acc[i].life == acc[i - 1].life &&
                acc[i].write == acc[i - 1].write) {
              continue;
            }
            auto& table = lock_loc[o.lock];
            if (!table) table = std::make_unique<FlatMap<uint32_t>>();
            bool fresh = false;
            const uint32_t at =
                table->FindOrInsert(Packed(acc[i].key, acc[i].life),
                                    static_cast<uint32_t>(lock_loc_clocks.size()), fresh);
            if (fresh) {
              lock_loc_clocks.resize(lock_loc_clocks.size() + 2 * size_t{n}, 0);
              values += 2 * size_t{n};
            }
            Join(&lock_loc_clocks[at + (acc[i].write ? n : 0)], h_of(t), n);
          }
        }
        if (values > kMaxClockValues) return CapClocks();
        s.rel_h.assign(h_of(t), h_of(t) + n);
        s.rel_p.assign(p_of(t), p_of(t) + n);
        if (open[t].empty()) logged[t].clear();
        ++h_of(t)[t];
        break;
      }
      case Op::kRead:
      case Op::kWrite: {
        const bool write = h.op == Op::kWrite;
        const uint64_t obj = trace_.Obj(id);
        const uint64_t key = key_of(obj);
        // Rule (a): a release of a section that conflicts with this access, on a lock held now.
        for (const Open& o : open[t]) {
          if (!ls[o.lock].multi) continue;
          if (!lock_loc[o.lock]) continue;
          const uint32_t* at = lock_loc[o.lock]->Find(Packed(key, h.life));
          if (!at) continue;
          Join(p_of(t), &lock_loc_clocks[*at + n], n);
          if (write) Join(p_of(t), &lock_loc_clocks[*at], n);
        }
        if (!open[t].empty()) logged[t].push_back({key, h.life, write});
        if (*thread_of.Find(Packed(obj, h.life)) != kMany) {
          if (budget <= 1) {
            budget = 0;
            return false;
          }
          --budget;  // as an access compared with nothing
          break;
        }
        // Candidates against the latest access of each conflicting group. A location keeps,
        // per thread, its latest read and write: only when one of another thread is not
        // ordered before this access are the groups compared.
        const bool atomic = h.flags & PredictTrace::kAtomic;
        bool fresh_loc = false;
        uint32_t& loc_index =
            loc_of.FindOrInsert(Packed(obj, h.life), static_cast<uint32_t>(locs.size()), fresh_loc);
        if (fresh_loc) locs.emplace_back();
        Loc& loc = locs[loc_index];
        const uint32_t* p = p_of(t);
        bool unordered = false;
        Seen* own = nullptr;
        for (Seen& s : loc.seen) {
          if (s.thread == t) {
            own = &s;
          } else {
            unordered |= s.write_epoch > p[s.thread] || (write && s.read_epoch > p[s.thread]);
          }
        }
        if (!own) own = &loc.seen.emplace_back(Seen{t, 0, 0, kNoGroup, kNoGroup});
        const uint32_t site = trace_.SiteKey(id);
        uint32_t& cached = write ? own->write_group : own->read_group;
        if (cached == kNoGroup || groups[cached].site != site || groups[cached].held != h.aux) {
          auto [g, fresh] = group_of.try_emplace(GroupKey{obj, t, site, h.aux, h.life, write},
                                                 static_cast<uint32_t>(groups.size()));
          if (fresh) {
            groups.push_back({t, h.aux, site, id, id, 0, write, atomic});
            loc.groups.push_back(g->second);
          }
          cached = g->second;
        }
        const uint32_t mine = cached;
        (write ? own->write_epoch : own->read_epoch) = h_of(t)[t];
        uint64_t cost = 1;
        for (size_t k = 0; unordered && k < loc.groups.size(); ++k) {
          const uint32_t other = loc.groups[k];
          const Group& o = groups[other];
          ++cost;
          if (o.thread == t || (!o.write && !write) || (o.atomic && atomic)) continue;
          if (o.epoch <= p[o.thread]) continue;  // ordered before this access
          const uint64_t pair = uint64_t{std::min(mine, other)} << 32 | std::max(mine, other);
          if (paired.count(pair)) continue;
          if (o.held != h.aux && !SortedDisjoint(trace_.HeldAt(o.first), trace_.HeldAt(id))) {
            continue;
          }
          if (o.held == h.aux && !trace_.HeldAt(id).empty()) continue;
          paired.insert(pair);
          out->push_back({o.last, id});
        }
        Group& me = groups[mine];
        me.last = id;
        me.epoch = h_of(t)[t];
        if (cost >= budget) {
          budget = 0;
          complete = false;
          return complete;
        }
        budget -= cost;
        break;
      }
      case Op::kFork:
        if (h.aux != PredictTrace::kNone && h.aux < n && h.aux != t) {
          Join(p_of(h.aux), c_of(t), n);
          Join(h_of(h.aux), h_of(t), n);
          ++h_of(t)[t];
        }
        break;
      case Op::kJoin:
        if (h.aux != PredictTrace::kNone && h.aux < n && h.aux != t) {
          Join(p_of(t), c_of(h.aux), n);
          Join(h_of(t), h_of(h.aux), n);
        }
        break;
      case Op::kNotify: {
        auto [it, fresh] = notified.try_emplace(trace_.Obj(id));
        if (fresh && (values += 2 * size_t{n}) > kMaxClockValues) return CapClocks();
        auto& s = it->second;
        const uint32_t* c = c_of(t);
        s.first.assign(c, c + n);
        s.second.assign(h_of(t), h_of(t) + n);
        ++h_of(t)[t];
        break;
      }
      case Op::kPost: {
        auto [it, fresh] = posted.try_emplace(trace_.Obj(id));
        if (fresh && (values += 2 * size_t{n}) > kMaxClockValues) return CapClocks();
        auto& s = it->second;
        if (s.first.empty()) s.first.assign(n, 0), s.second.assign(n, 0);
        Join(s.first.data(), c_of(t), n);
        Join(s.second.data(), h_of(t), n);
        ++h_of(t)[t];
        break;
      }
      case Op::kWake:
      case Op::kPend: {
        if (h.link == PredictTrace::kNone) break;
        auto& from = h.op == Op::kPend ? posted : notified;
        auto s = from.find(trace_.Obj(id));
        if (s == from.end()) break;
        Join(p_of(t), s->second.first.data(), n);
        Join(h_of(t), s->second.second.data(), n);
        break;
      }
      default:
        break;
    }
  }
  return complete;
}

}  // namespace threadlens::analysis
