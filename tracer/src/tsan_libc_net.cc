// Interceptors for socket options, addresses and interfaces: setsockopt reads its option,
// bind and connect their address, inet_aton and inet_addr their text (inet_aton writes the
// address), if_indextoname and if_nametoindex a name, and getifaddrs writes its result list,
// named at the caller's call. (ThreadSanitizer, clang 14, records inet_aton, the interface
// names and getifaddrs; not setsockopt, bind nor connect.)
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include "fd_sync.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// getifaddrs' list: the pointer, each entry, its name and the addresses it holds.
void Interfaces(ifaddrs* const* out, uintptr_t pc) {
  Write(out, sizeof *out, pc);
  for (const ifaddrs* i = *out; i; i = i->ifa_next) {
    Write(i, sizeof *i, pc);
    ReadString(i->ifa_name, pc);
    for (const sockaddr* a : {i->ifa_addr, i->ifa_netmask, i->ifa_broadaddr}) {
      if (a) Write(a, a->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in), pc);
    }
  }
}

}  // namespace

#define THREADLENS_LIBC_NET(X)                                                                  \
  X(int, setsockopt, (int fd, int level, int name, const void* v, socklen_t n),                  \
    (fd, level, name, v, n), fdsync::Use(fd, pc), Read(v, n, pc))                                \
  X(int, bind, (int fd, const sockaddr* a, socklen_t n), (fd, a, n), fdsync::Use(fd, pc),        \
    Read(a, n, pc))                                                                              \
  X(int, connect, (int fd, const sockaddr* a, socklen_t n), (fd, a, n), fdsync::Use(fd, pc);    \
    fdsync::Connecting(fd, a, n, pc), Read(a, n, pc))                                            \
  X(int, inet_aton, (const char* s, in_addr* out), (s, out), , ReadString(s, pc);                      \
    if (r) Write(out, sizeof *out, pc))                                                          \
  X(in_addr_t, inet_addr, (const char* s), (s), , ReadString(s, pc))                                   \
  X(char*, if_indextoname, (unsigned i, char* name), (i, name), ,                                \
    if (r) Write(name, RealStrlen(name) + 1, pc))                                                \
  X(unsigned, if_nametoindex, (const char* name), (name), , ReadString(name, pc))                      \
  X(int, getifaddrs, (ifaddrs * *out), (out), ::threadlens::rt::PcScope at(pc),                  \
    if (r == 0) Interfaces(out, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_NET(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

namespace {
void (*real_freeifaddrs)(ifaddrs*) = nullptr;
}  // namespace

TSAN_EXPORT void Intercept_freeifaddrs(ifaddrs* a) __asm__("freeifaddrs");
void Intercept_freeifaddrs(ifaddrs* a) {
  FreeAtCaller(real_freeifaddrs, "freeifaddrs", a, TSAN_CALLER_PC);
}

}  // namespace threadlens::rt::tsan::libc
