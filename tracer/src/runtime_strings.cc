// The trace's string table: deduplicating and append-only, in mmap'd memory. Each new
// string is written as its own kStrings block at once, under the lock, so it reaches the
// file before any event that names it.
#include <string.h>
#include <sys/mman.h>

#include "runtime_internal.h"

namespace threadlens::rt {
namespace {

void* MapMemory(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ReportFatal("out of memory for the string table");
  return p;
}

constexpr uint32_t kStringSlots = 1 << 16;
constexpr size_t kArenaChunk = 1 << 20;
constexpr size_t kMaxStringLen = 4000;

struct StringSlot {
  uint64_t hash;
  const char* data;
  uint32_t len;
  uint32_t id;
};

SpinLock g_strings_lock;
StringSlot* g_string_slots = nullptr;
uint32_t g_string_count = 0;
uint32_t g_next_string_id = 1;
char* g_arena = nullptr;
size_t g_arena_left = 0;

uint64_t HashBytes(const char* s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
  return h | 1;  // 0 marks an empty slot
}

const char* ArenaCopy(const char* s, size_t n) {
  if (n > g_arena_left) {
    size_t chunk = n > kArenaChunk ? n : kArenaChunk;
    g_arena = static_cast<char*>(MapMemory(chunk));
    g_arena_left = chunk;
  }
  char* p = g_arena;
  memcpy(p, s, n);
  g_arena += n;
  g_arena_left -= n;
  return p;
}

void WriteStringBlock(uint32_t id, const char* s, uint32_t len) {
  char buf[sizeof(trace::StringEntry) + kMaxStringLen];
  trace::StringEntry e{id, len};
  memcpy(buf, &e, sizeof e);
  memcpy(buf + sizeof e, s, len);
  WriteBlock(trace::BlockKind::kStrings, 0, 1, buf, sizeof e + len);
}

}  // namespace

SpinLock& StringsLock() { return g_strings_lock; }

void InitStrings() {
  g_string_slots = static_cast<StringSlot*>(MapMemory(kStringSlots * sizeof(StringSlot)));
}

// Rewrites every interned string into a fresh trace (fork child).
void RewriteStrings() {
  for (uint32_t i = 0; i < kStringSlots; ++i) {
    const StringSlot& s = g_string_slots[i];
    if (s.hash) WriteStringBlock(s.id, s.data, s.len);
  }
}

uint32_t InternString(const char* s, size_t len) {
  if (!g_enabled.load(std::memory_order_acquire) || !s) return 0;
  if (len > kMaxStringLen) len = kMaxStringLen;
  ThreadState* ts = t_state;
  bool guard = reinterpret_cast<uintptr_t>(ts) > 1;
  if (guard) ts->in_runtime = true;
  uint64_t h = HashBytes(s, len);
  g_strings_lock.Lock();
  uint32_t id = 0;
  uint32_t i = static_cast<uint32_t>(h) & (kStringSlots - 1);
  for (uint32_t probes = 0; probes < 256; ++probes, i = (i + 1) & (kStringSlots - 1)) {
    StringSlot& slot = g_string_slots[i];
    if (slot.hash == h && slot.len == len && memcmp(slot.data, s, len) == 0) {
      id = slot.id;
      break;
    }
    if (slot.hash == 0) {
      id = g_next_string_id++;
      slot.data = ArenaCopy(s, len);
      slot.len = static_cast<uint32_t>(len);
      slot.id = id;
      slot.hash = h;
      ++g_string_count;
      WriteStringBlock(id, s, static_cast<uint32_t>(len));
      break;
    }
  }
  if (id == 0) {  // table crowded: a fresh id without deduplication
    id = g_next_string_id++;
    WriteStringBlock(id, s, static_cast<uint32_t>(len));
  }
  g_strings_lock.Unlock();
  if (guard) {
    ts->in_runtime = false;
    if (__atomic_load_n(&ts->sig_pending, __ATOMIC_RELAXED) != 0) DeliverPendingSignals(ts);
  }
  return id;
}

bool FirstNaming(uint64_t key) {
  static std::atomic<uint64_t> named[64];
  return named[key % 64].exchange(key, std::memory_order_relaxed) != key;
}

void NameKey(ThreadState* ts, uint64_t key, const char* text, size_t len, uintptr_t pc) {
  if (const uint32_t s = InternString(text, len)) {
    EmitTo(ts, trace::EventKind::kNameLock, 0, 0, s, key, pc);
  }
}

}  // namespace threadlens::rt
