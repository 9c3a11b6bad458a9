// Keys of shared locations and the recording's counts of atomic writes to them (see
// shared_writes.h).
#include "shared_writes.h"

#include "process_tree.h"
#include "runtime_internal.h"
#include "stripe_version.h"
#include "threadlens/recording.h"

namespace threadlens::rt {

uint64_t CachedSharedKey(SharedKeys& k, uint64_t addr) {
  const uint64_t version = g_shared_maps_version.load(std::memory_order_acquire);
  for (const SharedKeys::Key& e : k.keys) {
    if (e.addr == addr && e.version == version) return e.key;
  }
  const uint64_t key = SharedLockKey(addr);
  k.keys[k.next++ % SharedKeys::kKeys] = {addr, key, version};
  return key;
}

namespace {

// Raised at every reading: what SharedWrites gives when it cannot tell the location's count.
std::atomic<uint64_t> g_changing{0};
std::atomic<uint64_t> g_all_counts{0};  // stands for every count (CountSharedWrite)
std::atomic<uint64_t>* Changing() {
  g_changing.fetch_add(1, std::memory_order_relaxed);
  return &g_changing;
}

// The key of `addr` (0: the process's own memory). False when it cannot be told: in a
// signal handler, the code it interrupted may hold the table of mappings.
bool KeyOfAtomic(uint64_t addr, uint64_t& key) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_handler) return SharedLockKeyTry(addr, key);
  EnterRecord(ts);  // no handler while it looks (and the cache changes)
  key = CachedSharedKey(ts->shared_keys, addr);
  LeaveRecordQuiet(ts);  // (held-back handlers run at the atomic's record, not inside it)
  return true;
}

std::atomic<uint64_t>* CountAt(trace::SharedRecording& rec, uint64_t key) {
  return &rec.atomic_writes[(key * 0x9e3779b97f4a7c15ull) >> (64 - trace::kSharedWriteBits)];
}

}  // namespace

std::atomic<uint64_t>* SharedWrites(uint64_t addr) {
  if (!MaybeShared(addr)) return nullptr;
  uint64_t key;
  if (!KeyOfAtomic(addr, key)) return Changing();
  if (!key) return nullptr;
  trace::SharedRecording* rec = SharedRecordingOrNull();
  return rec ? CountAt(*rec, key) : Changing();
}

std::atomic<uint64_t>* CountSharedWrite(uint64_t addr, uint64_t& before) {
  if (!MaybeShared(addr)) return nullptr;
  trace::SharedRecording* rec = SharedRecordingOrNull();
  uint64_t key;
  if (!KeyOfAtomic(addr, key)) {  // which count is not known: every one
    if (rec) {
      for (auto& n : rec->atomic_writes) {
        n.fetch_add(stripe_version::kBegin, std::memory_order_relaxed);
      }
    }
    before = 0;
    return &g_all_counts;
  }
  if (!key) return nullptr;
  std::atomic<uint64_t>* c = rec ? CountAt(*rec, key) : Changing();
  before = c->fetch_add(stripe_version::kBegin, std::memory_order_relaxed);
  return c;
}

uint32_t SharedCountId(const std::atomic<uint64_t>* c) {
  trace::SharedRecording* rec = SharedRecordingOrNull();
  static_assert(kSharedCountIds == 1u << trace::kSharedWriteBits);
  if (!rec || c < rec->atomic_writes || c >= rec->atomic_writes + kSharedCountIds) {
    return kSharedCountIds;
  }
  return static_cast<uint32_t>(c - rec->atomic_writes);
}

std::atomic<uint64_t>* SharedLastSeq(const std::atomic<uint64_t>* c) {
  const uint32_t id = SharedCountId(c);
  return id < kSharedCountIds ? &SharedRecordingOrNull()->atomic_last_seq[id] : nullptr;
}

void EndSharedWrite(std::atomic<uint64_t>* c) {
  trace::SharedRecording* rec = SharedRecordingOrNull();
  if (c != &g_all_counts) {
    c->fetch_add(stripe_version::kEnd, std::memory_order_release);
  } else if (rec) {
    for (auto& n : rec->atomic_writes) n.fetch_add(stripe_version::kEnd, std::memory_order_release);
  }
}

}  // namespace threadlens::rt
