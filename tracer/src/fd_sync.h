// What calls on file descriptors tell the analyzer (intercept_fd.cc): data sent through a
// pipe, socket pair, connected TCP socket, eventfd, epoll set, message queue or regular file
// happens before it is received,
// and a descriptor is an object of its own that close and dup2 write and every call reads.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace threadlens::rt::fdsync {

// Any call on `fd` (before the real call): a read of the descriptor, if the runtime saw it
// created.
void Use(int fd, uintptr_t pc);
// Before data leaves through `fd`: Use, and a release on its channel.
void Send(int fd, uintptr_t pc);
// Before connect(2) to `a`: a release of the endpoint's key (its port; a Unix socket's path),
// which the accept(2) that takes the connection acquires: everything before the connect
// happens before the accept returns, data or none.
void Connecting(int fd, const sockaddr* a, socklen_t n, uintptr_t pc);
// After accept(2) on `listener` returned a connection: the acquire of its endpoint's key.
void Accepted(int listener, uintptr_t pc);
// After data arrived through `fd`: an acquire of its channel.
void Received(int fd, uintptr_t pc);
// After read(2) got `r` bytes into `buf`: Received, and for a signalfd an acquire of each
// signal it returned (its sending happened before, as for a handler).
void ReadDone(int fd, const void* buf, long r, uintptr_t pc);
// A signalfd the program made or changed: its reads return signals.
void SignalFd(int fd, bool created, uintptr_t pc);
// A descriptor the program just got (pipe, socket, accept...). `channel` is what it sends
// and receives through, from NewChannel(); 0: found out at first use (fstat for pipes and
// FIFOs, the address pair for connected TCP and UDP sockets).
void Created(int fd, uint64_t channel, uintptr_t pc);
inline void CreatedPair(const int* fds, uint64_t channel, uintptr_t pc) {
  Created(fds[0], channel, pc);
  Created(fds[1], channel, pc);
}
uint64_t NewChannel();
// The channel of a FIFO or a message queue: its inode's, the same for every descriptor of it
// in every process. 0 when fstat fails.
uint64_t InodeChannel(int fd);
// A private anonymous mapping the program just made, and a range it is about to unmap:
// memory of its own, allocated and freed like a heap block (a range unmapped by one thread
// and mapped again by another is new memory; an access racing the munmap is a use after
// free). Not the runtime's own mappings.
// `checked` false: a mapping of a file (or one shared with other processes) only ends the
// life of what was there before (freed heap memory the C library unmapped), as unchecked.
// `name`: what reports call the block (kMapName): the file open on that descriptor,
// kAnonymous memory, or kUnnamed (no record: a heap block).
inline constexpr int kAnonymous = -1, kUnnamed = -2;
void Mapped(void* addr, size_t len, uintptr_t pc, bool checked = true, int name = kUnnamed);
void Unmapping(void* addr, size_t len, uintptr_t pc);
// A System V message queue's channel: its id, which names it in every process.
uint64_t SysvQueueChannel(int id);
// System V semaphore `num` of set `id`: the channel its increments release and its
// decrements acquire, or (`zero`) the one its decrements release and its waits for zero
// acquire.
uint64_t SysvSemChannel(int id, unsigned num, bool zero);
// The channel of the advisory file locks on the file open on `fd` (intercept_file_locks.cc):
// the one every unlock releases and every lock acquires (even), keyed by the file's inode, the
// same in every process; 0 when fstat fails. SharedUnlocks(it) is the one unlocks of shared
// locks release and exclusive locks acquire.
uint64_t FileLockChannel(int fd);
inline uint64_t SharedUnlocks(uint64_t channel) { return channel | 1; }
// Before `fd` is closed: the unlock of a lock it holds.
void FileLocksClosing(int fd, uintptr_t pc);
// At the process's exit: the unlock of every lock its descriptors hold.
void FileLocksAtExit();
// In a fork's child: the locks its descriptors hold are the parent's too (the open file
// descriptions are shared), so no thread of the child holds them alone: the parent may give
// them up.
void FileLocksForked();
// The file locks the process's descriptors hold, for the watchdog: the thread that took each,
// its channel, and whether it is shared. Fills at most `max`; returns how many.
struct FileLockHold {
  uint32_t tid;
  uint64_t channel;
  uint64_t site;  // the call that took it
  bool shared;
  // The process's lock (fcntl's F_SETLK, lockf), not the taking thread's: it keeps out other
  // processes only (a flock or F_OFD_SETLK lock keeps out the process's other descriptors).
  bool process;
  // Of part of the file (byte ranges are not told apart): it may keep out no waiter.
  bool range;
};
uint32_t FileLocksHeld(FileLockHold* out, uint32_t max);
// Whether thread `tid` took a descriptor's exclusive lock of a whole file on channel
// `channel` (0: any) that is held now: a lock of the lock-order graph, for `confirm`.
bool HoldsFileLock(uint32_t tid, uint64_t channel);
// At the start of a program: the descriptors it inherited across exec that hold an exclusive
// lock of a whole file (flock, F_OFD_SETLK), read from /proc/self/fdinfo, are held by its
// main thread for the lock-order graph (kFileLockAcquired), and given up as any other. The
// watchdog does not count them: it names no thread that took them.
void FileLocksInherited();
// File names (intercept_paths.cc): the channel of a path's last component (0: none, as for
// "/", "." and ".."), the same in every directory and process. A call that changes the name
// releases it before (NameChanging; NameOpening for an open with O_CREAT, when the name did
// not exist or O_EXCL), and every call that looks it up acquires it after (NameSeen; `failed`:
// the call failed, and with EFAULT or ENAMETOOLONG the path is not read: PathRead).
bool PathRead(bool failed);
uint64_t NameChannel(const char* path);
void NameChanging(const char* path, uintptr_t pc);
void NameOpening(int dir, const char* path, int flags, uintptr_t pc);
void NameSeen(const char* path, bool failed, uintptr_t pc);
// A release and an acquire of a channel with no descriptor (a System V queue's).
void SendOn(uint64_t channel, uintptr_t pc);
void ReceivedOn(uint64_t channel, uintptr_t pc);
// A descriptor the C library opened for the program (fopen, tmpfile): what the runtime
// found out about an earlier holder of the number it did not see closed is forgotten.
void Forget(int fd);
// Before close, or dup2/dup3 onto an open number; after a duplication.
void BeforeClose(int fd, uintptr_t pc);
// Before a call closes `fd` (close, fclose, closedir): the unlock of its file locks, then
// BeforeClose.
inline void BeforeCloseCall(int fd, uintptr_t pc) {
  FileLocksClosing(fd, pc);
  BeforeClose(fd, pc);
}
void Duplicated(int from, int to, uintptr_t pc);
// Before dup2/dup3 of `from` onto `to`: a use of `from`, and the close of `to` unless it is
// `from`.
void BeforeDuplicate(int from, int to, uintptr_t pc);

}  // namespace threadlens::rt::fdsync
