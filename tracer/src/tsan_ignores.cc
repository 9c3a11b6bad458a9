// The ignore annotations of dynamic_annotations.h, as ThreadSanitizer defines them, and the
// record of ignores a thread leaves on when it ends.
//  - IgnoreReads/Writes: the thread's reads (writes) are not recorded.
//  - IgnoreSync: the thread's synchronization orders nothing. Its lock, semaphore and
//    happens-before events are still recorded, with kNoSync: dropping them would leave the
//    analyzer with wrong held locks (false unlock misuse, missed deadlocks). Its atomics and
//    fences are recorded relaxed (NoSyncFlags in event_effects.h).
#include "tsan_thread.h"

using namespace threadlens::rt;  // NOLINT: the exported C symbols below
using namespace threadlens::rt::tsan;

#define ANNOTATION(name, ...) TSAN_EXPORT void name(const char* file, int line, ##__VA_ARGS__)

ANNOTATION(AnnotateIgnoreReadsBegin) {
  if (tls_ctx.ignore_reads++ == 0) tls_ctx.ignore_reads_pc = TSAN_CALLER_PC;
}
ANNOTATION(AnnotateIgnoreReadsEnd) {
  if (tls_ctx.ignore_reads) --tls_ctx.ignore_reads;
}
ANNOTATION(AnnotateIgnoreWritesBegin) {
  if (tls_ctx.ignore_writes++ == 0) tls_ctx.ignore_writes_pc = TSAN_CALLER_PC;
}
ANNOTATION(AnnotateIgnoreWritesEnd) {
  if (tls_ctx.ignore_writes) --tls_ctx.ignore_writes;
}
ANNOTATION(AnnotateIgnoreSyncBegin) {
  if (ThreadState* ts = Current()) {
    if (ts->ignore_sync++ == 0) ts->ignore_sync_pc = TSAN_CALLER_PC;
  }
}
ANNOTATION(AnnotateIgnoreSyncEnd) {
  if (ThreadState* ts = Current(); ts && ts->ignore_sync) --ts->ignore_sync;
}
#undef ANNOTATION

namespace threadlens::rt {

// ThreadSanitizer reports "thread finished with ignores enabled": the Begin had no End, and
// everything the thread did after it went unchecked.
void RecordIgnoresAtExit(ThreadState* ts) {
  const ThreadCtx& t = tls_ctx;
  auto record = [&](uint8_t kind, uint32_t depth, uintptr_t pc) {
    if (depth) EmitTo(ts, trace::EventKind::kIgnoresAtExit, kind, 0, depth, 0, pc);
  };
  record(trace::kIgnoreReads, t.ignore_reads, t.ignore_reads_pc);
  record(trace::kIgnoreWrites, t.ignore_writes, t.ignore_writes_pc);
  record(trace::kIgnoreSync, ts->ignore_sync, ts->ignore_sync_pc);
  record(trace::kIgnoreAccesses, t.ignore, t.ignore_pc);
}

}  // namespace threadlens::rt
