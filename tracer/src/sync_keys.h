// Keys of the synchronization objects and fd objects the runtime invents: values in the
// non-canonical half of the address space, so no user memory and no user annotation key
// can meet them. All stay below 2^60, where the analyzer puts its own tag bits.
#pragma once

#include <cstdint>

namespace threadlens::rt {

// A barrier's round r releases and acquires this key: rounds alternate between two.
inline uint64_t BarrierRoundKey(uint64_t barrier, uint64_t round) {
  return barrier | ((1 + (round & 1)) << 56);
}
// The 8 bytes that stand for descriptor `fd` (the descriptor table slot): close writes them,
// every call on the descriptor reads them.
inline constexpr uint64_t kFdObjectBase = 1ull << 59;
inline uint64_t FdObject(int fd) { return kFdObjectBase + 8 * static_cast<uint64_t>(fd); }
// Descriptor number `fd` handed out again: a close releases this key, and a call that returns
// the number (open, accept, socket, dup...) acquires it, since the kernel reuses a number only
// once its close is done. Per process (the analyzer tags it like an address).
inline constexpr uint64_t kFdNumberBase = (1ull << 59) | (1ull << 56);
inline uint64_t FdNumberKey(int fd) { return kFdNumberBase + static_cast<uint64_t>(fd); }
// The channel a descriptor sends and receives through (pipe, socket pair, eventfd, epoll).
inline constexpr uint64_t kFdChannelBase = (1ull << 59) | (1ull << 58);
inline constexpr uint64_t kFdChannelMask = (1ull << 56) - 1;
// Signal `sig`: sending it (and installing its handler) releases this key, a handler's start
// acquires it. Far above any descriptor's object.
inline constexpr uint64_t kSignalKeyBase = (1ull << 59) | (1ull << 57);
inline uint64_t SignalKey(int sig) { return kSignalKeyBase + static_cast<uint64_t>(sig); }
// The dynamic loader: a dlclose releases it, a dlopen acquires it, as the loader's own lock
// orders them (a library loaded where an unloaded one was is new memory for its users).
inline constexpr uint64_t kLoaderKey = kSignalKeyBase + (1ull << 40);
// A lock its holder still held when it ended: the thread's end releases this key and a
// lock that returns EOWNERDEAD (a robust mutex) acquires it, as the kernel hands the mutex
// over only after the holder is gone.
inline uint64_t OrphanLockKey(uint64_t lock) {
  return kSignalKeyBase + (1ull << 41) + (lock & ((1ull << 40) - 1));
}
// A POSIX asynchronous I/O request (its aiocb): the request's end releases it and the call
// that saw the request done (aio_error, aio_return, aio_suspend, lio_listio) acquires it.
inline uint64_t AioKey(uint64_t aiocb) {
  return kSignalKeyBase + (1ull << 43) + (aiocb & ((1ull << 43) - 1));
}
// A std::exception_ptr's exception object (at `object`): each release of a reference
// releases and acquires this key, as the C++ runtime's reference count (an acq_rel atomic the
// program's instrumentation never sees) orders the last release, which frees the object,
// after every earlier one. Bits 47-54 stay clear: the analyzer tags the key with the process.
inline uint64_t ExceptionKey(uint64_t object) {
  return kSignalKeyBase + (1ull << 56) + (object & ((1ull << 47) - 1));
}
// Before signal `sig` is sent (kill, raise, the raw system calls...): the release of its key
// (intercept_signal.cc).
void SignalSent(int sig, uint64_t pc);

// Edges between the processes of one recording; like the channels, the same key in every
// process (the analyzer leaves them untagged). A fork releases ForkKey(token) in the parent
// and the child acquires it first thing; a descendant's exit releases ExitKey(pid), which a
// wait that reaped it acquires.
inline constexpr uint64_t kProcessKeyBase = 7ull << 57;
inline uint64_t ForkKey(uint64_t token) { return kProcessKeyBase + 2 * (token & 0xffffffffffull); }
// posix_spawn: the same edge, to the new program's first event (bit 41 set: a spawned program
// may be one that is not traced, so the analyzer expects no child for it).
inline uint64_t SpawnKey(uint64_t token) { return ForkKey(token) | (1ull << 41); }
inline uint64_t ExitKey(uint32_t pid) {
  return kProcessKeyBase + 2 * static_cast<uint64_t>(pid) + 1;
}
static_assert(kProcessKeyBase == 7ull << 57, "trace::ExitKeyPid decodes ExitKey");

}  // namespace threadlens::rt
