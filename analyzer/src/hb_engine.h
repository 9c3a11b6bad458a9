// The happens-before engine: one vector clock per thread and the clocks that
// synchronization objects carry between threads. It knows nothing of memory; the shadow
// memory asks it what a thread has seen.
//
// Edges: fork -> child, child -> join, lock release -> later acquire (a reader's release
// orders later writers only), semaphore post -> wait, happens_before(addr) ->
// happens_after(addr), and atomics with C++20 release sequences: a release store starts
// a sequence, read-modify-writes of any thread continue it (a release RMW adds its own
// clock), a plain or non-RMW store ends it; an acquire load or RMW joins what the sequence
// carries. Fences as in C++20 [atomics.fences]: after a release fence, a thread's relaxed
// stores and RMWs carry the fence's clock; at an acquire fence, a thread acquires what its
// relaxed loads since the last one read. Vector clocks as in FastTrack (Flanagan & Freund,
// PLDI 2009).
//
// Slots: a thread's entry in every clock is its clock slot (clock_slots.h), not its own
// index. A joined thread's last epoch is what its joiner learns; a detached thread's is that
// of its last access (Accessed) or else of its last publication (every publication ticks).
//
// Cost: O(slots) per synchronization, nothing per plain access. Memory: one clock per
// slot and per sync object that was ever released.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"
#include "clock_slots.h"
#include "flat_map.h"

namespace threadlens::analysis {

class HappensBefore {
 public:
  // Sync objects other than locks and atomics: callers tag the kind in the top bits.
  static constexpr uint64_t kSemTag = 2ull << 60;
  static constexpr uint64_t kAnnotationTag = 3ull << 60;

  // A new thread (dense index) whose clock starts at 1 in a slot of its own.
  void AddThread(uint32_t t) { Slot(t); }
  // The child takes a slot ended threads left when the parent's clock holds its last epoch.
  void Fork(uint32_t parent, uint32_t child);
  // `ended`: the child ended before this join, and its slot is free for later threads.
  void Join(uint32_t joiner, uint32_t child, bool ended = false);
  // Thread t ended and no thread will join it (it was detached): its slot is free for
  // threads whose creators know its last epoch that anything holds: the epoch of its last
  // access (Accessed), or else the last it published.
  void End(uint32_t t);
  // Thread t makes an access at its current epoch (the race detector says so once per
  // epoch, when it copies the clock).
  void Accessed(uint32_t t) { AccessedAt(Slot(t)); }
  // The same by clock slot (Slot(t)), for callers that have it: one lookup per access.
  void AccessedAt(uint32_t s) { accessed_[s] = clocks_[s].Get(s); }
  const VectorClock& ClockAt(uint32_t s) const { return clocks_[s]; }
  uint32_t NowAt(uint32_t s) const { return clocks_[s].Get(s); }
  // Lock acquire/release; `shared` for the reader side of an rwlock.
  void Acquire(uint32_t t, uint64_t lock, bool shared);
  void Release(uint32_t t, uint64_t lock, bool shared);
  // Semaphores and annotations: a release joins into the object, an acquire joins from it.
  void SyncAcquire(uint32_t t, uint64_t key);
  void SyncRelease(uint32_t t, uint64_t key);
  // Atomics at `addr`. `mo` is a trace::MemoryOrder value.
  // A load, and the load side of a read-modify-write: an acquire joins the sequence's clock.
  void AtomicLoad(uint32_t t, uint64_t addr, uint8_t mo);
  // Starts loading the sequence of `addr` (an atomic access a few events ahead).
  void PrefetchAtomic(uint64_t addr) const {
    if (atomics_.size()) atomics_.Prefetch(addr);
  }
  // A plain atomic store: a release starts a sequence, anything else ends it (C++20), or,
  // with SameThreadStoresContinue, continues one the storing thread heads.
  void AtomicStore(uint32_t t, uint64_t addr, uint8_t mo);
  // Release sequences as C++11 to C++17 define them: the head's thread's later stores to the
  // location continue the sequence, as read-modify-writes do (C++20 dropped them: P0982R1).
  // Code written to the older rule relies on it (oneTBB's task-pool steal rolls the deque's
  // head back with a relaxed store after its release increment).
  void SameThreadStoresContinue(bool on) { same_thread_stores_continue_ = on; }
  // Relaxed stores that ended a release sequence their own thread alone headed (C++20), or
  // continued it (the older rule): where the two rules part.
  uint64_t own_sequence_stores() const { return own_sequence_stores_; }
  // The store side of a read-modify-write (call AtomicLoad first): continues the sequence.
  void AtomicRmwStore(uint32_t t, uint64_t addr, uint8_t mo);
  // A thread fence (acquire, release, acq_rel or seq_cst; relaxed does nothing).
  void Fence(uint32_t t, uint8_t mo);
  // A plain store (or memory freed or reused) at [addr, addr+size): release sequences
  // headed there end. One lookup per 4 KiB page written while any atomic has a sequence,
  // and per 64-byte line that holds one.
  void PlainWrite(uint64_t addr, uint64_t size) { EndOrCarry(addr, size, nullptr, 0); }
  // A plain store of thread t's own (an instrumented store, not a free or a copy) where a
  // sequence is: as a relaxed store by t, it heads a new sequence carrying t's last release
  // fence, if t made one (`__sync_synchronize(); *lock = 0;`, the unlock of C code's spin
  // locks, then releases what came before the fence), else ends it.
  void PlainStore(uint32_t t, uint64_t addr, uint64_t size) {
    if (atomics_.size() == 0 || size == 0) return;
    const uint32_t s = Slot(t);
    const Fences* f = FencesOf(s);
    EndOrCarry(addr, size, f && f->released.size() ? &f->released : nullptr, s);
  }
  bool HasAtomics() const { return atomics_.size() != 0; }

  // Thread t's slot: its entry in every clock (made when it has none).
  uint32_t Slot(uint32_t t) {
    const uint32_t s = slots_.Find(t);
    if (s < ClockSlots::kReleased) [[likely]] return s;
    return NewSlot(t);
  }
  // The thread (dense index) whose epoch `epoch` of slot `slot` was.
  uint32_t ThreadAt(uint32_t slot, uint32_t epoch) const { return slots_.ThreadAt(slot, epoch); }
  // Thread t's clock, indexed by slot.
  const VectorClock& Clock(uint32_t t) { return clocks_[Slot(t)]; }
  // Changes whenever thread t's clock does (for callers that copy clocks).
  uint64_t Version(uint32_t t) { return versions_[Slot(t)]; }
  uint64_t VersionAt(uint32_t s) const { return versions_[s]; }  // by clock slot
  // Thread t's epoch: its own entry in its clock.
  uint32_t Now(uint32_t t) {
    const uint32_t s = Slot(t);
    return clocks_[s].Get(s);
  }
  size_t slots() const { return slots_.size(); }

  static bool IsAcquire(uint8_t mo);
  static bool IsRelease(uint8_t mo);

 private:
  struct LockClocks {
    VectorClock writes;  // joined at exclusive releases
    VectorClock reads;   // joined at shared releases
  };
  // Thread slot s's clock, to change.
  VectorClock& Mut(uint32_t s) {
    ++versions_[s];
    return clocks_[s];
  }
  uint32_t NewSlot(uint32_t t);
  // Thread t's slot is free: nothing holds an epoch of it past `last`.
  void FreeSlot(uint32_t t, uint32_t last);
  // Ends the sequences that start in [addr, addr+size), or (`carry`) makes each one the
  // sequence thread u heads with that clock.
  void EndOrCarry(uint64_t addr, uint64_t size, const VectorClock* carry, uint32_t u);
  void EndInPage(uint64_t page, uint64_t first, uint64_t last, const VectorClock* carry,
                 uint32_t u);
  // Per thread: the clock at its last release fence, and what its relaxed loads read since
  // its last acquire fence (each empty when there is none).
  struct Fences {
    VectorClock released, pending;
  };
  Fences* FencesOf(uint32_t s);
  std::vector<Fences> fences_;     // per slot
  std::vector<VectorClock> clocks_;  // per slot
  std::vector<uint64_t> versions_;   // per slot, never reset
  ClockSlots slots_;
  std::vector<uint32_t> accessed_;    // per slot: the epoch of its thread's last access
  std::unordered_map<uint64_t, LockClocks> locks_;
  std::unordered_map<uint64_t, VectorClock> sync_;
  // Per atomic address, what an acquire of it would see: the clock of the release
  // sequence in progress (empty when none is).
  // One lookup per atomic load on the hot path: an open-addressing index into a pool.
  //
  // Every clock a thread publishes (at a release of any kind, a fork or its exit) is its
  // clock of that moment, and it ticks right after: so a thread whose clock holds u's
  // epoch e already holds all of u's clock published at e. A sequence whose clock is one
  // such publication (its head) is acquired by a look at one entry, without loading the
  // clock: on programs that read atomics published long ago, most loads.
  struct AtomicRef {
    uint32_t idx = 0;                // into atomic_clocks_
    uint32_t thread = 0, epoch = 0;  // the head; thread 0 epoch 0: the empty clock
    bool mixed = false;              // joined from several: no head
  };
  AtomicRef& AtomicSlot(uint64_t addr);
  // `x`, the clock thread u published at x[u], starts (`replace`) or joins the sequence.
  void Publish(uint64_t addr, const VectorClock& x, uint32_t u, bool replace);
  void EraseAtomic(uint64_t addr);
  void EraseAtomic(uint64_t addr, const AtomicRef& found);  // atomics_.Find(addr) gave it
  FlatMap<AtomicRef> atomics_;  // address -> its sequence
  bool same_thread_stores_continue_ = false;
  uint64_t own_sequence_stores_ = 0;
  // Where sequences are: per 4 KiB page, its lines holding one and, per line, the bytes
  // they start at. A plain write ends the sequences it covers with one lookup each, not one
  // per byte written: a line holding an atomic next to plain fields is written often.
  struct PageAtomics {
    uint64_t lines = 0;
    uint64_t starts[64] = {};
  };
  FlatMap<uint32_t> atomic_pages_;  // page -> index into page_atomics_
  std::vector<PageAtomics> page_atomics_;
  std::vector<uint32_t> free_page_atomics_;
  std::vector<VectorClock> atomic_clocks_;
  std::vector<uint32_t> free_atomic_clocks_;
};

}  // namespace threadlens::analysis
