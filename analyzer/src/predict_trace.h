// The trace as prediction sees it: every event that constrains a reordering (lock acquire and
// release, reads and writes, fork and join, notifications and the waits they end, semaphores
// and annotations), kept in trace order with the thread it belongs to, so that the closure
// engine (predict_closure.h) can ask which events must come before which.
//
// Unlike the one-pass detectors this keeps the whole trace, in 48 bytes per kept event: 24 of
// what names it (object, stream position, site, stack, held-lock path), the 20 the closure
// reads (Hot), 4 of per-thread order. Sites are interned, stream positions kept as 32 bits
// with the rare high words aside, held-lock sets interned and kept in fields that are free for
// the event's op. Only recorded with AnalyzeOptions::predict (docs/findings.md, "Prediction").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace threadlens::analysis {

// Takes `n` steps of work from a search's `budget`, down to 0.
inline void Spend(uint64_t& budget, uint64_t n) { budget = n >= budget ? 0 : budget - n; }

// A vector that grows by fixed chunks: no reallocation, so a trace's worth of events never
// needs old and new storage at once (a doubling vector peaks at three times its contents).
template <typename T>
class ChunkedVector {
 public:
  void push_back(const T& v) {
    if (size_ % kChunk == 0) chunks_.push_back(std::make_unique<T[]>(kChunk));
    chunks_[size_ / kChunk][size_ % kChunk] = v;
    ++size_;
  }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }

 private:
  static constexpr size_t kChunk = 1 << 16;
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

class PredictTrace {
 public:
  enum class Op : uint8_t {
    kAcquire,  // outermost acquisition of a lock (obj = lock)
    kRelease,  // the release that ends it
    kRead,     // obj = location
    kWrite,
    kFork,      // obj = child thread (dense index)
    kJoin,      // obj = joined thread (dense index)
    kNotify,    // obj = condition variable
    kWake,      // a condition wait ended by a notification (obj = condition variable)
    kPost,      // semaphore post, annotation release, signal send (obj = key)
    kPend,      // semaphore wait, annotation acquire, handler start (obj = key)
    kTryFail,   // a trylock that found the lock held (obj = lock)
    kPendFail,  // a semaphore try or timed wait that took nothing (obj = key)
  };
  static constexpr uint32_t kNone = ~0u;

  struct Event {
    uint64_t obj = 0;
    uint64_t index = 0;  // position in the merged stream
    uint64_t site = 0;
    uint32_t thread = 0;  // dense thread index
    uint32_t stack = 0;   // PathTable node of the call stack
    uint32_t lockset = 0;
    Op op = Op::kRead;
    bool shared = false;  // the read side of an rwlock
    bool atomic = false;  // an atomic read or write
    // An acquisition that waits for the lock: not a trylock, a timed lock (it would give up) or
    // a condition wait's re-acquisition. Only these can be the blocked requests of a deadlock.
    // On a wake: the wait had no timeout. On a pend: a sem_wait (not try, not timed).
    bool blocking = true;
    // Set by Finalize: a re-entrant acquire, an inner release, or a release of a lock the
    // thread did not hold. No constraint of its own.
    bool nested = false;
    // Binary traces: the life of the memory an access touched (predict_lifetimes.h).
    uint16_t life = 0;
    // Binary traces: a granule after the first of one access (one step of a witness with it).
    bool part = false;
  };

  // Recording, in stream order. Granular: binary traces key memory by 8-byte granule and chain
  // each write to the previous one of its granule, so that whatever bytes a read saw, its writer
  // stays its last writer in a reordering; STD variables are exact and need no chain.
  void SetGranular(bool granular) { granular_ = granular; }
  bool Granular() const { return granular_; }
  // `after_wake`: a condition wait's re-acquisition recorded before the wait's end (binary
  // traces); it is kept after the thread's next event when that is the wake, as it happens.
  void Add(const Event& e, bool after_wake = false);
  void AddThread(uint32_t thread, uint32_t tid);
  // A semaphore's initial count, at this point of the stream (`key`: the semaphore's key as
  // the analysis tags it). Each initialization starts a generation of the semaphore, which
  // posts and pends name by SemKey: a semaphore reused at an address (on a stack, in a loop)
  // is a new one each time. A generation has a known count (SemInitial) unless its semaphore
  // was used before its first initialization, or initialized more than kMaxSemGenerations
  // times (then the last generation holds the rest, count unknown).
  void SemInit(uint64_t key, uint32_t count, uint32_t thread);
  bool HasSemInit(uint64_t key) const { return sem_gen_.count(key) > 0; }
  // The key of the current generation of semaphore `key` (`key` itself before the second
  // initialization): its bits 56-59 hold the generation.
  uint64_t SemKey(uint64_t key) const {
    auto it = sem_gen_.find(key);
    return it == sem_gen_.end() ? key : key | static_cast<uint64_t>(it->second) << 56;
  }
  static constexpr uint64_t SemBase(uint64_t key) { return key & ~(0xfull << 56); }
  static constexpr uint32_t kMaxSemGenerations = 16;
  // Derives per-thread positions, matching releases, reads-from and the other links, after the
  // last Add. Later calls do nothing.
  void Finalize();

  // ---- after Finalize ----
  size_t size() const { return cold_.size(); }
  // The event, rebuilt from its parts (bind it to a const reference or copy it).
  Event At(uint32_t id) const;
  // Parts of it, cheaply: the object, and a number equal for equal sites.
  uint64_t Obj(uint32_t id) const {
    return static_cast<uint64_t>(cold_[id].obj_hi) << 32 | cold_[id].obj_lo;
  }
  uint32_t SiteKey(uint32_t id) const { return cold_[id].site; }
  uint64_t Site(uint32_t id) const { return sites_[cold_[id].site]; }
  // The low 32 bits of the stream position: equal for the parts of one recorded event.
  uint32_t IndexLow(uint32_t id) const { return cold_[id].index_lo; }
  uint32_t threads() const { return static_cast<uint32_t>(per_thread_.size()); }
  uint32_t Tid(uint32_t thread) const { return thread < tids_.size() ? tids_[thread] : 0; }
  // Events of `thread` in program order (ids into At()).
  const std::vector<uint32_t>& OfThread(uint32_t thread) const { return per_thread_[thread]; }
  uint32_t Pos(uint32_t id) const { return hot_[id].pos; }
  // What the closure reads of an event, packed so that its random accesses touch one line:
  // thread, position in it, Link(), the lock index of an outermost acquire or the other thread
  // of a fork or join (kNone otherwise), and the op.
  struct Hot {
    uint32_t thread, pos, link, aux;  // aux of a read, write or wake: its held-lock set
    Op op;
    uint8_t flags;  // kShared, kAtomic, kBlocking, kNested
    uint16_t life;
  };
  static constexpr uint8_t kShared = 1, kAtomic = 2, kBlocking = 4, kNested = 8, kPart = 16;
  const Hot& HotOf(uint32_t id) const { return hot_[id]; }
  // For most events, the event that `id` needs before it in any reordering (kNone if none): the
  // writer a read reads from, the previous write of a granule (binary traces), the notification
  // a wake needs, the last post a pend needs (posts chain to the previous post of their key),
  // the acquisition a failed trylock saw held. For an acquire: its matching release (kNone when
  // the trace ends inside the critical section), which the sync rule brings in.
  uint32_t Link(uint32_t id) const { return hot_[id].link; }
  // The fork event of `thread` (kNone for a root thread).
  uint32_t ForkOf(uint32_t thread) const { return fork_[thread]; }
  // Whether x comes before y in every reordering by thread order, fork and join alone
  // (followed up to 16 forks and joins deep: false can also mean "not found").
  bool ForkJoinBefore(uint32_t x, uint32_t y) const;
  // Per lock, the outermost acquisitions by thread: positions within the thread, ascending.
  struct ThreadAcquires {
    uint32_t thread = 0;
    std::vector<uint32_t> ids;   // acquire event ids, program order
    std::vector<uint32_t> held;  // per acquisition, the locks held (HeldAt's set)
  };
  struct LockAcquires {
    uint64_t lock = 0;
    std::vector<ThreadAcquires> by_thread;
    bool irregular = false;  // shared holds, unlock by another thread, unbalanced releases
  };
  // Index into Locks() of the lock of an acquire event (kNone otherwise).
  uint32_t LockIndex(uint32_t id) const {
    const Hot& h = hot_[id];
    return h.op == Op::kAcquire && !(h.flags & kNested) ? h.aux : kNone;
  }
  const std::vector<LockAcquires>& Locks() const { return locks_; }
  // The outermost locks a thread held at an acquire, read, write or wake event, sorted (empty
  // for other events). Equal sets are the same object.
  const std::vector<uint64_t>& HeldAt(uint32_t id) const;
  // The initial count of the semaphore generation `key` (SemKey), or -1 when it is not known
  // (older traces, a semaphore used before its initialization).
  int64_t SemInitial(uint64_t key) const {
    auto it = sem_init_.find(key);
    return it == sem_init_.end() ? -1 : it->second.count;
  }
  // Every semaphore with a known initial count.
  std::vector<uint64_t> KnownSemaphores() const;
  // Where each generation of a semaphore began: the initializing thread had run `pos` of its
  // events. A replay places it there: after those, before the thread's next one.
  struct SemInitAt {
    uint64_t key = 0;  // the generation's key
    uint32_t thread = 0, pos = 0;
  };
  const std::vector<SemInitAt>& SemInits() const { return sem_inits_; }
  // The initialization of generation `key`, nullptr when it has none (not known).
  const SemInitAt* SemInitOf(uint64_t key) const {
    auto it = sem_init_.find(key);
    return it == sem_init_.end() || it->second.count < 0 ? nullptr : &sem_inits_[it->second.init];
  }

 private:
  struct Cold {  // 24 bytes
    uint32_t obj_lo, obj_hi, index_lo, site, stack, lockset;
  };
  void Store(const Event& e);

  ChunkedVector<Cold> cold_;
  ChunkedVector<Hot> hot_;
  std::vector<std::pair<uint32_t, uint32_t>> index_hi_;  // from this id on, this high word
  std::vector<uint64_t> sites_;
  std::unordered_map<uint64_t, uint32_t> site_ids_;
  std::vector<std::pair<uint32_t, Event>> deferred_;  // thread, re-acquisition
  std::vector<uint32_t> tids_;
  bool granular_ = false;
  bool finalized_ = false;
  std::vector<std::vector<uint32_t>> per_thread_;
  std::vector<uint32_t> fork_, join_;
  std::vector<LockAcquires> locks_;
  std::vector<std::vector<uint64_t>> held_sets_;
  struct SemStart {
    int64_t count = -1;  // -1: unknown
    uint32_t first = 0;  // the first event id recorded after the initialization
    uint32_t init = 0;   // index into sem_inits_
  };
  std::vector<SemInitAt> sem_inits_;                 // pos: until Finalize, the first id after it
  std::unordered_map<uint64_t, SemStart> sem_init_;  // by generation key
  std::unordered_map<uint64_t, uint32_t> sem_gen_;   // semaphore -> current generation
};

}  // namespace threadlens::analysis
