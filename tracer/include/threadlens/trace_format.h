// threadlens trace format v4: the one definition shared by the writer (tracer/) and the
// reader (analyzer/). Byte-by-byte description in docs/trace-format.md; the 16-byte packed
// records of kPackedEvents blocks are in trace_packed.h, what the watchdog's records say in
// trace_watchdog.h.
// Includes only <stdint.h>-level headers: it is compiled into the traced program.
#pragma once

#include <cstddef>
#include <cstdint>

#include "threadlens/trace_watchdog.h"

namespace threadlens::trace {

// Version rules:
//  - Bump kVersion when a record's layout or an existing field's meaning changes; the
//    reader rejects versions it does not know.
//  - Adding a new EventKind or BlockKind at the end does not bump the version: readers skip
//    unknown block kinds and report unknown event kinds as "unknown" events.
//  - Flags bits may be added to an event kind without a bump when old readers can ignore them.
inline constexpr uint32_t kVersion = 4;
// Oldest version this reader still reads: v1 has no kPackedEvents blocks; v1 and v2 have a
// 200-byte `program` and no `recording` (read as 0: a process of no shared recording).
inline constexpr uint32_t kMinVersion = 1;
// The first version whose header holds `recording`.
inline constexpr uint32_t kRecordingVersion = 3;
// The first version whose kFuncEntry may carry its frame's stack pointer in `obj` (earlier
// ones always hold 0 there, which still means "not known").
inline constexpr uint32_t kFrameVersion = 4;
inline constexpr char kMagic[8] = {'T', 'L', 'T', 'R', 'A', 'C', 'E', '1'};

enum class ClockSource : uint32_t {
  kMonotonicNs = 1,  // CLOCK_MONOTONIC, ticks are nanoseconds
  kTsc = 2,          // rdtsc, ticks_per_second calibrated at start
};

enum HeaderFlags : uint32_t {
  kHeaderComplete = 1u << 0,  // set only by a clean close; absent after a crash or kill
  kHeaderWatchdog = 1u << 1,  // the watchdog ended the program
  // The trace stopped early (size cap, disk full, file size limit) while the program ran
  // on; never set together with kHeaderComplete.
  kHeaderTruncated = 1u << 2,
  // No instrumented module ran and the annotation API recorded no access (an unmodified
  // program): the trace holds locks, threads and waits but no memory accesses of the
  // program's own, so the analyzer does not look for races in it.
  kHeaderUninstrumented = 1u << 3,
  // With kHeaderTruncated: a limit (size cap, file size limit) stopped the trace, and room
  // kept below it took every thread's records up to sequence number cut_seq. The trace is
  // then all of the program up to one moment: no synchronization before it is missing.
  kHeaderCut = 1u << 4,
  // Without kHeaderComplete: a fatal signal ended the program and the runtime's handler
  // flushed every thread's records first, so the trace is the program up to the signal (a
  // record a thread was writing at that instant may be missing).
  kHeaderSignalFlush = 1u << 5,
  // The process forked: what became of each child (its own trace, or a warning that it is
  // missing) is known only by reading the recording's events.
  kHeaderForked = 1u << 6,
};

// File header: the first 256 bytes of the file.
struct FileHeader {
  char magic[8];              // kMagic
  uint32_t version;           // kVersion
  uint32_t header_size;       // sizeof(FileHeader)
  uint32_t flags;             // HeaderFlags
  uint32_t pid;
  uint32_t ppid;
  uint32_t clock_source;      // ClockSource
  uint64_t ticks_per_second;  // clock frequency
  uint64_t start_ticks;       // clock reading when tracing began
  uint64_t start_unix_ns;     // wall clock at the same moment, for display only
  char program[184];          // NUL-terminated program path (truncated if longer); 200 bytes
                              // in v1 and v2, which end here
  // (v3) The recording this process belongs to: the same nonzero id in every process of one
  // `threadlens run` (fork and exec descendants), whose sync events share one seq counter.
  uint64_t recording;
  uint64_t cut_seq;  // with kHeaderCut: the cut's sequence number; else 0 (v3: `reserved`)
};
static_assert(sizeof(FileHeader) == 256, "FileHeader layout is part of the format");
static_assert(offsetof(FileHeader, ticks_per_second) == 32, "FileHeader layout");
static_assert(offsetof(FileHeader, recording) == 240, "FileHeader layout");

// After the header the file is a sequence of blocks, each a BlockHeader then payload_size
// bytes. Blocks are appended with one write() each, so blocks from different threads never
// interleave. A reader skips block kinds it does not know.
enum class BlockKind : uint32_t {
  kStrings = 1,  // string table entries: StringEntry then `length` bytes, repeated
  kEvents = 2,   // `count` Event records of thread `tid`, in that thread's program order;
                 // tid 0 is the runtime itself (the watchdog's records)
  kModules = 3,  // loaded modules: ModuleEntry records (paths in the string table)
  kEnd = 4,      // clean close: payload is an EndRecord
  kPackedEvents = 5,  // (v2) `count` records of thread `tid` in program order, each a full
                      // 40-byte Event or a 16-byte packed record (see PackedRecord below)
  kCompressedEvents = 6,  // a kPackedEvents payload as one zstd frame (with its size);
                          // `count` and `tid` as there, `checksum` of the frame
  kSettings = 7,  // the program's ThreadSanitizer settings: `count` SettingEntry records
};

inline constexpr uint32_t kBlockMagic = 0x4b4c4254;  // "TBLK" little-endian

struct BlockHeader {
  uint32_t magic;         // kBlockMagic
  uint32_t kind;          // BlockKind
  uint32_t tid;           // owning thread for kEvents; 0 otherwise
  uint32_t count;         // number of records in the payload
  uint32_t payload_size;  // bytes following this header
  uint32_t checksum;      // CRC-32C (Castagnoli) of the payload, see crc32c.h
};
static_assert(sizeof(BlockHeader) == 24, "BlockHeader layout is part of the format");

struct StringEntry {
  uint32_t id;      // ids start at 1; 0 means "no string"
  uint32_t length;  // bytes of UTF-8 that follow, not NUL-terminated
};
static_assert(sizeof(StringEntry) == 8, "StringEntry layout is part of the format");

// A setting: key_length bytes of key, then value_length bytes of value (UTF-8, no NUL).
struct SettingEntry {
  uint32_t key_length;
  uint32_t value_length;
};
static_assert(sizeof(SettingEntry) == 8, "SettingEntry layout is part of the format");

struct ModuleEntry {
  uint64_t base;     // load address (dlpi_addr)
  uint64_t size;     // extent of the mapped segments
  uint32_t path_id;  // string id of the file path
  uint32_t build_id;  // string id of its GNU build id in hex, 0: none (traces before it: 0)
};
static_assert(sizeof(ModuleEntry) == 24, "ModuleEntry layout is part of the format");

struct EndRecord {
  uint64_t events;   // events written in total
  uint64_t dropped;  // events lost: a signal handler recorded one while its thread flushed
  uint32_t threads;  // threads seen
  // Distinct lock objects the trace's lock events (create, request, acquired, try-failed)
  // name, plus one; 0: not counted (traces before it; too many locks to count).
  uint32_t locks;
};
static_assert(sizeof(EndRecord) == 24, "EndRecord layout is part of the format");

// Event kinds. Field use per kind is listed in docs/trace-format.md; the short form:
// obj = the object (lock, cv, semaphore, address, thread id); site = program counter of the
// call site, or a string id with kSiteIsString set; seq = global sequence number for
// synchronization events (0 for others).
enum class EventKind : uint8_t {
  kInvalid = 0,
  // Threads. obj = the other thread's tid.
  kThreadCreate = 1,   // parent, before the child runs; obj = child tid. A second
                       // kThreadCreate with kFailed for the same tid cancels it; flags
                       // kProgramStack: the child runs on a stack the program allocated.
  kThreadStart = 2,    // child's first event; obj = parent tid (0: unknown / main thread)
  kThreadExit = 3,     // thread's last event
  kThreadJoinBegin = 4,  // about to block in join; obj = joined tid
  kThreadJoin = 5,     // join returned; obj = joined tid; flags kFailed if it failed
  kThreadDetach = 6,   // obj = detached tid
  // Locks. obj = lock address.
  kLockCreate = 10,    // aux16 = LockType (also written at a lock's first use)
  kLockDestroy = 11,   // aux16 = LockType
  kLockRequest = 12,   // the lock was busy and the thread may block; flags kShared, kTimed.
                       // An acquisition that did not have to wait has no kLockRequest.
  kLockAcquired = 13,  // flags kShared, kTry, kTimed; aux16 = recursion depth after acquiring
  kLockTryFailed = 14,  // trylock/timedlock did not get the lock; flags kTimed if timed out
  kLockRelease = 15,   // flags kShared; aux16 = recursion depth after releasing; kFailed
                       // when the thread did not hold the lock and the unlock failed
  // Condition variables. obj = cv address; aux64 is not available, the mutex is implied by
  // the kLockRelease/kLockAcquired pair (flag kViaCondWait) that surrounds the wait.
  kCondWaitBegin = 20,  // flags kTimed
  kCondWaitEnd = 21,    // flags kTimedOut if the wait timed out
  kCondSignal = 22,
  kCondBroadcast = 23,
  // Semaphores. obj = semaphore address.
  kSemWaitBegin = 30,  // flags kTry/kTimed
  kSemWaitEnd = 31,    // flags kFailed when try/timed wait did not decrement
  kSemPost = 32,
  // Memory. obj = address; aux16 = access size in bytes (0 = range, size in seq).
  kRead = 40,
  kWrite = 41,
  kAtomicLoad = 42,    // flags = MemoryOrder
  kAtomicStore = 43,   // flags = MemoryOrder
  kAtomicRmw = 44,     // flags = MemoryOrder (success order for compare-exchange)
  kFence = 45,         // flags = MemoryOrder; obj unused
  kAlloc = 46,         // obj = block address; seq = block size
  kFree = 47,          // obj = block address; seq = its usable size (0: unknown)
  // Happens-before annotations. obj = the address named in the annotation.
  kHappensBefore = 50,
  kHappensAfter = 51,
  // Call stack. site = the call site in the caller (or string id); obj = the entered
  // function's stack pointer at its entry call, aux32 = how far above it its frame pointer
  // register was (below 2^24, else 0): its locals are found from one of them by their DWARF
  // frame offsets. obj = 0: not known. kFuncExit has no operands.
  kFuncEntry = 60,
  kFuncExit = 61,
  // Names. aux32 = string id of the name.
  kNameThread = 70,    // obj = tid
  kNameLock = 71,      // obj = lock address
  kNameVariable = 72,  // obj = address; aux16 = size in bytes
  // Watchdog, written by the watchdog thread after it stopped the world.
  kWatchdogFired = 80,  // flags = WatchdogReason; aux32 = delay in ms
  kBlocked = 81,        // aux32 = blocked tid; flags = BlockedOn; obj = object waited on
                        // (lock, cv, semaphore address, or joined tid); aux16 bit 0 = a
                        // shared (read) lock request, kAlsoBlocked = another end of the
                        // same readiness wait; site = pc of the blocking call
  kHolds = 82,          // aux32 = holder tid; obj = lock held; aux16 = recursion depth;
                        // flags kShared for a read hold, kProcessHold; site = where a
                        // file lock was taken (0 for other locks)
  // Where the thread's stack lies: obj = lowest address, seq = size in bytes. Written once
  // by the thread itself, for the main thread when it first creates a thread.
  kThreadStack = 83,
  // Written by the watchdog beside kBlocked: a thread not blocked on a sync object when it
  // stopped the program. aux32 = tid; flags kAsleep when in a sleep call (site = its pc).
  kRunning = 84,
  // Signals. aux32 = signal number; obj = the signal's key (a release/acquire object).
  kSignalSend = 85,   // kill, raise, pthread_kill, sigqueue...: a release of the key; also
                      // written when a handler is installed (flags kSignalInstall)
  kSignalEnter = 86,  // a handler starts: acquire of the key; site = handler address + 1
                      // (sites are looked up at site - 1, as return addresses are); flags
                      // kSignalDeferred when the runtime held the signal back (docs)
  kSignalLeave = 87,  // the handler returned (or left by longjmp, kSignalLongjmp); site as
                      // kSignalEnter; obj = errno at entry << 32 | errno at exit, flags
                      // kErrnoChanged when they differ
  kSignalUnsafeCall = 88,  // an async-signal-unsafe call inside a handler: aux16 =
                           // SignalUnsafeCall; site = its call site; obj = handler address
  // Written just before kThreadExit, once per kind of ignore the thread left on
  // (AnnotateIgnore*Begin without its End): flags = IgnoreKind; aux32 = begins left open;
  // site = pc of the Begin that turned it on. Not a synchronization event.
  kIgnoresAtExit = 89,
  // Shared memory of the process (MAP_SHARED mapping, sem_open): obj = start address, seq =
  // length in bytes, aux32 = string id of the object's identity ("file DEV:INO", "anon
  // PID:ADDR", "sem NAME"), site = offset of the start in the object. The same object mapped
  // in two processes has the same identity, whatever its addresses. Not a synchronization
  // event; a fork child writes its inherited mappings again after its first event.
  kMapShared = 90,
  kUnmapShared = 91,  // obj = start, seq = length: the range is no longer shared memory
  // A semaphore's initial count, after a successful sem_init or a sem_open that created the
  // semaphore: obj = semaphore, aux32 = the count. Not a synchronization event.
  kSemInit = 92,
  // A thread's instance of one module's thread-local storage (its PT_TLS block): obj = lowest
  // address, seq = size in bytes, site = the module's TLS image (an address in the module).
  // Written by the thread beside its kThreadStack, once per module. Not a synchronization event.
  kThreadTls = 93,
  // The thread took a signal that ends the process as a fault (SIGSEGV, SIGBUS, SIGILL,
  // SIGFPE, SIGABRT, SIGTRAP, SIGSYS) with no handler of the program's: aux32 = the signal,
  // site = the faulting instruction (0: not known).
  // Written by the runtime's handler just before it closes the trace. Not a synchronization
  // event.
  kCrash = 94,
  // An untimed wait on a process-private futex word (syscall(SYS_futex, FUTEX_WAIT...) from
  // the program: C++20 atomic wait, std::latch, std::barrier, std::counting_semaphore, a
  // hand-written futex lock): obj = the futex word. kFutexWaitEnd flags kFailed when the
  // call returned an error (EAGAIN: the word had changed; EINTR). They order nothing.
  kFutexWaitBegin = 95,
  kFutexWaitEnd = 96,
  // What the thread's next kAlloc at the same address maps, written just before it: obj =
  // address; flags kMapFile with aux32 = string: the mapped file's path; else anonymous
  // memory. Reports name the block by it ("file /db/lock.mdb mapped at ..."), not as a heap
  // block. Not a synchronization event.
  kMapName = 97,
  // A file lock a descriptor holds (flock, fcntl's F_OFD_SETLK(W), of the whole file) was
  // taken, or given up (unlock, close, exit): obj = the lock's channel (the file's device and
  // inode, the same in every process), flags kShared for a shared lock, kTry for one taken by
  // a call that could not wait (LOCK_NB). For the lock-order graph only: the order they make
  // travels on their channel.
  kFileLockAcquired = 98,
  kFileLockRelease = 99,
  kLast = kFileLockRelease,
};

enum EventFlags : uint8_t {
  kShared = 1u << 0,       // read (shared) side of an rwlock
  kTry = 1u << 1,          // trylock / trywait
  kTimed = 1u << 2,        // timedlock / timedwait
  kTimedOut = 1u << 3,     // the timed operation timed out
  kFailed = 1u << 4,       // the operation failed (EBUSY, EDEADLK, EPERM...)
  kViaCondWait = 1u << 5,  // lock release/acquire performed inside a cond wait
  kExplicitInit = 1u << 6,  // kLockCreate from an init call (not a lock's first use)
  // The thread ignored synchronization (AnnotateIgnoreSyncBegin): the lock, semaphore or
  // happens-before event keeps its lock state but orders nothing.
  kNoSync = 1u << 7,
  kAsleep = 1u << 0,        // kRunning: in sleep, usleep, nanosleep or clock_nanosleep
  kSignalInstall = 1u << 0,   // kSignalSend: a handler was installed (sigaction, signal)
  kSignalDeferred = 1u << 0,  // kSignalEnter: delivered after the runtime's own record
  kErrnoChanged = 1u << 0,    // kSignalLeave: errno at exit differs from errno at entry
  kProcessEnded = 1u << 0,    // kThreadExit: the thread ended the process (exit, _exit, main)
  // kThreadCreate: the child runs on memory the program gave it (pthread_attr_setstack), not
  // on a mapping the C library made for it.
  kProgramStack = 1u << 0,
  kSignalLongjmp = 1u << 1,   // kSignalLeave: the handler left by longjmp/siglongjmp
  // kHolds: a file lock of the process (fcntl's F_SETLK, lockf), which keeps out other
  // processes only; aux32 is the thread that took it.
  kProcessHold = 1u << 1,
  // kHolds: a file lock of part of the file (byte ranges): it may keep out no waiter.
  kRangeHold = 1u << 2,
};
// kBlocked's aux16: a further end a readiness wait (poll, select, epoll_wait) waits on, after
// the thread's first kBlocked record; any of them wakes it.
inline constexpr uint16_t kAlsoBlocked = 1u << 1;

// The async-signal-unsafe calls the runtime reports inside a handler (kSignalUnsafeCall).
enum class SignalUnsafeCall : uint16_t {
  kMalloc = 1,  // malloc, calloc, realloc, aligned allocation, operator new
  kFree = 2,    // free, operator delete
  kMutexLock = 3,
  kRwLock = 4,
  kCondWait = 5,
  kCondNotify = 6,
  kPrintf = 7,  // printf, fprintf, vprintf, vfprintf
  kStdio = 8,   // puts, fputs, fwrite
};

constexpr const char* SignalUnsafeCallName(uint16_t id) {
  switch (static_cast<SignalUnsafeCall>(id)) {
    case SignalUnsafeCall::kMalloc: return "malloc";
    case SignalUnsafeCall::kFree: return "free";
    case SignalUnsafeCall::kMutexLock: return "pthread_mutex_lock";
    case SignalUnsafeCall::kRwLock: return "pthread_rwlock_*lock";
    case SignalUnsafeCall::kCondWait: return "pthread_cond_wait";
    case SignalUnsafeCall::kCondNotify: return "pthread_cond_signal";
    case SignalUnsafeCall::kPrintf: return "printf";
    case SignalUnsafeCall::kStdio: return "stdio output";
  }
  return "an unsafe function";
}

// kIgnoresAtExit: which ignore a thread left on.
enum IgnoreKind : uint8_t {
  kIgnoreReads = 1u << 0,     // AnnotateIgnoreReadsBegin
  kIgnoreWrites = 1u << 1,    // AnnotateIgnoreWritesBegin
  kIgnoreSync = 1u << 2,      // AnnotateIgnoreSyncBegin
  kIgnoreAccesses = 1u << 3,  // __tsan_ignore_thread_begin (reads and writes)
};

// For atomics: C++ memory orders, as std::memory_order's values.
enum class MemoryOrder : uint8_t {
  kRelaxed = 0,
  kConsume = 1,
  kAcquire = 2,
  kRelease = 3,
  kAcqRel = 4,
  kSeqCst = 5,
};
// An atomic's flags: its memory order in the low bits, and kAtomicUnchecked when the thread
// ignored its reads (a load) or writes (a store; either, a read-modify-write) there: the
// operation still synchronizes but is no access to check.
inline constexpr uint8_t kMemoryOrderMask = 0x07;
inline constexpr uint8_t kAtomicUnchecked = 0x40;
// An atomic's flags order it as a release (release, acq_rel or seq_cst).
constexpr bool IsReleaseOrder(uint8_t flags) {
  const uint8_t mo = flags & kMemoryOrderMask;
  return mo == static_cast<uint8_t>(MemoryOrder::kRelease) ||
         mo == static_cast<uint8_t>(MemoryOrder::kAcqRel) ||
         mo == static_cast<uint8_t>(MemoryOrder::kSeqCst);
}
// An allocation's or free's flags: kHeapUnchecked when the thread ignored its reads or writes
// there (AnnotateIgnoreWritesBegin): the block's life is known, but it is no access.
inline constexpr uint8_t kHeapUnchecked = 0x40;
// A kMapName's flags: kMapFile when aux32 names the mapped file.
inline constexpr uint8_t kMapFile = 0x01;

enum class LockType : uint16_t {
  kNormal = 0,
  kRecursive = 1,
  kErrorCheck = 2,
  kRwLock = 3,
  kSpin = 4,
  kUnknown = 0xffff,  // first seen at use (static initializer)
};

// Bit 63 of `site` marks a string id (low 32 bits) instead of a program counter; user-space
// addresses never have it set on the supported platforms.
inline constexpr uint64_t kSiteIsString = 1ull << 63;

struct Event {
  uint8_t kind;    // EventKind
  uint8_t flags;   // EventFlags, MemoryOrder, BlockedOn or WatchdogReason by kind
  uint16_t aux16;  // size, recursion depth, LockType by kind
  uint32_t aux32;  // string id or tid by kind
  uint64_t ts;     // clock ticks (see FileHeader::clock_source)
  uint64_t seq;    // global synchronization order; 0 when not a synchronization event
  uint64_t obj;    // object: address or tid by kind
  uint64_t site;   // pc of the call site, or string id | kSiteIsString
};
static_assert(sizeof(Event) == 40, "Event layout is part of the format");
static_assert(offsetof(Event, ts) == 8 && offsetof(Event, site) == 32, "Event layout");

// True for the lock events whose objects the end record's `locks` counts, and `threadlens
// run` with it: create, request, acquired, try-failed.
constexpr bool NamesLock(EventKind k) {
  return k == EventKind::kLockCreate || k == EventKind::kLockRequest ||
         k == EventKind::kLockAcquired || k == EventKind::kLockTryFailed;
}

// True for kinds that carry a global sequence number (the merge order across threads).
constexpr bool IsSyncKind(EventKind k) {
  switch (k) {
    case EventKind::kThreadCreate:
    case EventKind::kThreadStart:
    case EventKind::kThreadExit:
    case EventKind::kThreadJoinBegin:
    case EventKind::kThreadJoin:
    case EventKind::kThreadDetach:
    case EventKind::kLockCreate:
    case EventKind::kLockDestroy:
    case EventKind::kLockRequest:
    case EventKind::kLockAcquired:
    case EventKind::kLockTryFailed:
    case EventKind::kLockRelease:
    case EventKind::kCondWaitBegin:
    case EventKind::kCondWaitEnd:
    case EventKind::kCondSignal:
    case EventKind::kCondBroadcast:
    case EventKind::kSemWaitBegin:
    case EventKind::kSemWaitEnd:
    case EventKind::kSemPost:
    case EventKind::kFutexWaitBegin:
    case EventKind::kFutexWaitEnd:
    case EventKind::kAtomicLoad:
    case EventKind::kAtomicStore:
    case EventKind::kAtomicRmw:
    case EventKind::kFence:
    case EventKind::kHappensBefore:
    case EventKind::kHappensAfter:
    case EventKind::kWatchdogFired:
    case EventKind::kBlocked:
    case EventKind::kHolds:
    case EventKind::kRunning:
    case EventKind::kSignalSend:
    case EventKind::kSignalEnter:
    case EventKind::kSignalUnsafeCall:
    case EventKind::kFileLockAcquired:
    case EventKind::kFileLockRelease:
      return true;
    default:
      return false;
  }
}

// Stable lower-case names, used by `threadlens dump` and in docs/trace-format.md.
constexpr const char* EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kInvalid: return "invalid";
    case EventKind::kThreadCreate: return "thread_create";
    case EventKind::kThreadStart: return "thread_start";
    case EventKind::kThreadExit: return "thread_exit";
    case EventKind::kThreadJoinBegin: return "join_begin";
    case EventKind::kThreadJoin: return "join";
    case EventKind::kThreadDetach: return "detach";
    case EventKind::kLockCreate: return "lock_create";
    case EventKind::kLockDestroy: return "lock_destroy";
    case EventKind::kLockRequest: return "lock_request";
    case EventKind::kLockAcquired: return "lock_acquired";
    case EventKind::kLockTryFailed: return "lock_try_failed";
    case EventKind::kLockRelease: return "lock_release";
    case EventKind::kCondWaitBegin: return "cond_wait_begin";
    case EventKind::kCondWaitEnd: return "cond_wait_end";
    case EventKind::kCondSignal: return "cond_signal";
    case EventKind::kCondBroadcast: return "cond_broadcast";
    case EventKind::kSemWaitBegin: return "sem_wait_begin";
    case EventKind::kSemWaitEnd: return "sem_wait_end";
    case EventKind::kSemPost: return "sem_post";
    case EventKind::kRead: return "read";
    case EventKind::kWrite: return "write";
    case EventKind::kAtomicLoad: return "atomic_load";
    case EventKind::kAtomicStore: return "atomic_store";
    case EventKind::kAtomicRmw: return "atomic_rmw";
    case EventKind::kFence: return "fence";
    case EventKind::kAlloc: return "alloc";
    case EventKind::kFree: return "free";
    case EventKind::kHappensBefore: return "happens_before";
    case EventKind::kHappensAfter: return "happens_after";
    case EventKind::kFuncEntry: return "func_entry";
    case EventKind::kFuncExit: return "func_exit";
    case EventKind::kNameThread: return "name_thread";
    case EventKind::kNameLock: return "name_lock";
    case EventKind::kNameVariable: return "name_variable";
    case EventKind::kWatchdogFired: return "watchdog_fired";
    case EventKind::kBlocked: return "blocked";
    case EventKind::kHolds: return "holds";
    case EventKind::kThreadStack: return "thread_stack";
    case EventKind::kRunning: return "running";
    case EventKind::kSignalSend: return "signal_send";
    case EventKind::kSignalEnter: return "signal_enter";
    case EventKind::kSignalLeave: return "signal_leave";
    case EventKind::kSignalUnsafeCall: return "signal_unsafe_call";
    case EventKind::kIgnoresAtExit: return "ignores_at_exit";
    case EventKind::kMapShared: return "map_shared";
    case EventKind::kUnmapShared: return "unmap_shared";
    case EventKind::kSemInit: return "sem_init";
    case EventKind::kThreadTls: return "thread_tls";
    case EventKind::kCrash: return "crash";
    case EventKind::kFutexWaitBegin: return "futex_wait_begin";
    case EventKind::kFutexWaitEnd: return "futex_wait_end";
    case EventKind::kMapName: return "map_name";
    case EventKind::kFileLockAcquired: return "file_lock_acquired";
    case EventKind::kFileLockRelease: return "file_lock_release";
  }
  return "unknown";
}

}  // namespace threadlens::trace
