// Interceptors for socket options, addresses and interfaces: setsockopt reads its option,
// bind and connect their address, inet_aton and inet_addr their text (inet_aton writes the
// address), if_indextoname and if_nametoindex a name, and getifaddrs writes its result list,
// named at the caller's call; the reentrant lookups (gethostbyname_r, getservbyname_r...)
// and ether_ntoa_r fill the caller's buffers. (ThreadSanitizer, clang 14, records inet_aton,
// the interface names, getifaddrs, the lookups and ether_ntoa_r; not setsockopt, bind nor
// connect.)
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <sys/socket.h>

#include "fd_sync.h"
#include "pipe_waits.h"
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

// A host entry a reentrant lookup filled in the caller's buffer: the entry, its name, its
// aliases and addresses (each list and what it points to).
void Host(const hostent* h, uintptr_t pc) {
  Write(h, sizeof *h, pc);
  if (h->h_name) Write(h->h_name, RealStrlen(h->h_name) + 1, pc);
  StringList(h->h_aliases, pc);
  size_t k = 0;
  for (; h->h_addr_list && h->h_addr_list[k]; ++k) {
    Write(h->h_addr_list[k], static_cast<size_t>(h->h_length), pc);
  }
  if (h->h_addr_list) Write(h->h_addr_list, (k + 1) * sizeof *h->h_addr_list, pc);
}

// gethostbyname_r and friends: the result pointer and error, and the entry when found.
void HostResult(int r, hostent* const* out, const int* err, uintptr_t pc) {
  Write(out, sizeof *out, pc);
  if (err) Write(err, sizeof *err, pc);
  if (r == 0 && *out) Host(*out, pc);
}

// getservbyname_r and getservbyport_r: the result pointer, and the entry when found.
void ServiceResult(int r, servent* const* out, uintptr_t pc) {
  Write(out, sizeof *out, pc);
  if (r != 0 || !*out) return;
  const servent* e = *out;
  Write(e, sizeof *e, pc);
  for (const char* text : {e->s_name, e->s_proto}) {
    if (text) Write(text, RealStrlen(text) + 1, pc);
  }
  StringList(e->s_aliases, pc);
}

}  // namespace

#define THREADLENS_LIBC_NET(X)                                                                  \
  X(int, setsockopt, (int fd, int level, int name, const void* v, socklen_t n),                  \
    (fd, level, name, v, n), fdsync::Use(fd, pc), Read(v, n, pc))                                \
  X(int, bind, (int fd, const sockaddr* a, socklen_t n), (fd, a, n), fdsync::Use(fd, pc),        \
    Read(a, n, pc))                                                                              \
  X(int, connect, (int fd, const sockaddr* a, socklen_t n), (fd, a, n), fdsync::Use(fd, pc);    \
    fdsync::Connecting(fd, a, n, pc), Read(a, n, pc);                                            \
    if (r == 0) ::threadlens::rt::RecordingStreamConnected(fd))                                  \
  X(int, inet_aton, (const char* s, in_addr* out), (s, out), , ReadString(s, pc);                      \
    if (r) Write(out, sizeof *out, pc))                                                          \
  X(in_addr_t, inet_addr, (const char* s), (s), , ReadString(s, pc))                                   \
  X(char*, if_indextoname, (unsigned i, char* name), (i, name), ,                                \
    if (r) Write(name, RealStrlen(name) + 1, pc))                                                \
  X(unsigned, if_nametoindex, (const char* name), (name), , ReadString(name, pc))                      \
  X(int, getifaddrs, (ifaddrs * *out), (out), ::threadlens::rt::PcScope at(pc),                  \
    if (r == 0) Interfaces(out, pc))                                                             \
  X(int, gethostbyname_r,                                                                        \
    (const char* name, hostent* h, char* b, size_t n, hostent** out, int* err),                  \
    (name, h, b, n, out, err), ::threadlens::rt::PcScope at(pc); ReadString(name, pc),           \
    HostResult(r, out, err, pc))                                                                 \
  X(int, gethostbyname2_r,                                                                       \
    (const char* name, int af, hostent* h, char* b, size_t n, hostent** out, int* err),          \
    (name, af, h, b, n, out, err), ::threadlens::rt::PcScope at(pc); ReadString(name, pc),       \
    HostResult(r, out, err, pc))                                                                 \
  X(int, gethostbyaddr_r,                                                                        \
    (const void* a, socklen_t l, int t, hostent* h, char* b, size_t n, hostent** out, int* err), \
    (a, l, t, h, b, n, out, err), ::threadlens::rt::PcScope at(pc); Read(a, l, pc),              \
    HostResult(r, out, err, pc))                                                                 \
  X(int, getservbyname_r,                                                                        \
    (const char* name, const char* proto, servent* e, char* b, size_t n, servent** out),         \
    (name, proto, e, b, n, out), ::threadlens::rt::PcScope at(pc);                               \
    ReadString(name, pc); ReadString(proto, pc), ServiceResult(r, out, pc))                      \
  X(int, getservbyport_r,                                                                        \
    (int port, const char* proto, servent* e, char* b, size_t n, servent** out),                 \
    (port, proto, e, b, n, out), ::threadlens::rt::PcScope at(pc); ReadString(proto, pc),        \
    ServiceResult(r, out, pc))                                                                   \
  X(char*, ether_ntoa_r, (const ether_addr* a, char* b), (a, b), , Read(a, sizeof *a, pc);     \
    if (r) Write(b, RealStrlen(b) + 1, pc))                                                      \
  X(ether_addr*, ether_aton_r, (const char* s, ether_addr* a), (s, a), , ReadString(s, pc);    \
    if (r) Write(a, sizeof *a, pc))

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
