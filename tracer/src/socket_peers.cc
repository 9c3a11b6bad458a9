// Connected stream sockets as pairs (pipe_waits.h): when a connect or an accept of the
// recording joins two sockets of this machine, the kernel's socket diagnostics
// (NETLINK_SOCK_DIAG) name the socket at the other end, and the two enter the recording's
// table of pairs, as a socketpair's do. A read of one then waits for the holders of the other,
// when the watchdogs see them. Raw system calls: the program's own are traced.
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipe_waits.h"
#include "process_tree.h"
#include "runtime.h"

namespace threadlens::rt {
namespace {

// Sends one sock_diag request; copies the first answer's payload (the family's diag message,
// then its attributes) into `out` and returns its size, 0 when there is none.
template <typename Request>
size_t Ask(const Request& req, char* out, size_t room) {
  const int s = static_cast<int>(syscall(SYS_socket, long{AF_NETLINK},
                                         long{SOCK_DGRAM | SOCK_CLOEXEC}, long{NETLINK_SOCK_DIAG}));
  if (s < 0) return 0;
  struct {
    nlmsghdr h;
    Request r;
  } msg{};
  msg.h.nlmsg_len = sizeof msg;
  msg.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.h.nlmsg_flags = NLM_F_REQUEST;
  msg.r = req;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  size_t size = 0;
  alignas(nlmsghdr) char buf[4096];
  if (syscall(SYS_sendto, long{s}, &msg, sizeof msg, 0l, &kernel, sizeof kernel) ==
      static_cast<long>(sizeof msg)) {
    const long n = syscall(SYS_recvfrom, long{s}, buf, sizeof buf, 0l, nullptr, nullptr);
    const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
    if (n >= static_cast<long>(sizeof *h) && NLMSG_OK(h, static_cast<unsigned>(n)) &&
        h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len - NLMSG_HDRLEN <= room) {
      size = h->nlmsg_len - NLMSG_HDRLEN;
      memcpy(out, NLMSG_DATA(h), size);
    }
  }
  syscall(SYS_close, long{s});
  return size;
}

uint64_t UnixPeer(uint64_t inode) {
  unix_diag_req req{};
  req.sdiag_family = AF_UNIX;
  req.udiag_states = ~0u;
  req.udiag_ino = static_cast<uint32_t>(inode);
  req.udiag_show = UDIAG_SHOW_PEER;
  req.udiag_cookie[0] = req.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  char answer[1024];
  const size_t size = Ask(req, answer, sizeof answer);
  unix_diag_msg m;
  if (size < sizeof m) return 0;
  memcpy(&m, answer, sizeof m);
  if (m.udiag_ino != inode) return 0;
  // Attributes follow, each 4-byte aligned: the peer's inode is UNIX_DIAG_PEER's u32.
  for (size_t at = NLMSG_ALIGN(sizeof m); at + sizeof(rtattr) <= size;) {
    rtattr a;
    memcpy(&a, answer + at, sizeof a);
    if (a.rta_len < sizeof a || at + a.rta_len > size) break;
    if (a.rta_type == UNIX_DIAG_PEER && a.rta_len >= RTA_LENGTH(sizeof(uint32_t))) {
      uint32_t peer;
      memcpy(&peer, answer + at + RTA_LENGTH(0), sizeof peer);
      return peer;
    }
    at += RTA_ALIGN(a.rta_len);
  }
  return 0;
}

// The reversed connection's ends in `id`: from `peer` to `local` (In: sockaddr_in or _in6).
template <typename In, typename Port, typename Addr>
void Reversed(inet_diag_sockid& id, const sockaddr_storage& local, const sockaddr_storage& peer,
              Port In::*port, Addr In::*addr) {
  const auto& l = reinterpret_cast<const In&>(local);
  const auto& p = reinterpret_cast<const In&>(peer);
  id.idiag_sport = p.*port;
  id.idiag_dport = l.*port;
  memcpy(id.idiag_src, &(p.*addr), sizeof(Addr));
  memcpy(id.idiag_dst, &(l.*addr), sizeof(Addr));
}

// The socket of this machine whose TCP connection runs from `peer` to `local`.
uint64_t InetPeer(const sockaddr_storage& local, const sockaddr_storage& peer) {
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<uint8_t>(local.ss_family);
  req.sdiag_protocol = IPPROTO_TCP;
  req.idiag_states = ~0u;
  req.id.idiag_cookie[0] = req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (local.ss_family == AF_INET) {
    Reversed(req.id, local, peer, &sockaddr_in::sin_port, &sockaddr_in::sin_addr);
  } else {
    Reversed(req.id, local, peer, &sockaddr_in6::sin6_port, &sockaddr_in6::sin6_addr);
  }
  char answer[1024];
  inet_diag_msg m;
  if (Ask(req, answer, sizeof answer) < sizeof m) return 0;
  memcpy(&m, answer, sizeof m);
  // The kernel's lookup falls back to a listener bound to the port: only the connection
  // itself, with both of its ends as asked, is the peer.
  constexpr uint8_t kListen = 10;  // TCP_LISTEN
  if (m.idiag_state == kListen || m.id.idiag_sport != req.id.idiag_sport ||
      m.id.idiag_dport != req.id.idiag_dport ||
      memcmp(m.id.idiag_src, req.id.idiag_src, sizeof m.id.idiag_src) != 0 ||
      memcmp(m.id.idiag_dst, req.id.idiag_dst, sizeof m.id.idiag_dst) != 0) {
    return 0;
  }
  return m.idiag_inode;
}

}  // namespace

void RecordingStreamConnected(int fd) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || fd < 0) return;
  struct stat st {};
  if (syscall(SYS_fstat, long{fd}, &st) != 0 || !S_ISSOCK(st.st_mode)) return;
  int type = 0;
  socklen_t len = sizeof type;
  // A datagram socket receives from anyone: no peer ends its wait.
  if (syscall(SYS_getsockopt, long{fd}, long{SOL_SOCKET}, long{SO_TYPE}, &type, &len) != 0 ||
      type != SOCK_STREAM) {
    return;
  }
  sockaddr_storage local{}, peer{};
  socklen_t ll = sizeof local, pl = sizeof peer;
  if (syscall(SYS_getsockname, long{fd}, &local, &ll) != 0 ||
      syscall(SYS_getpeername, long{fd}, &peer, &pl) != 0) {
    return;
  }
  const uint64_t inode = static_cast<uint64_t>(st.st_ino);
  uint64_t other = 0;
  if (local.ss_family == AF_UNIX) {
    other = UnixPeer(inode);
  } else if ((local.ss_family == AF_INET || local.ss_family == AF_INET6) &&
             peer.ss_family == local.ss_family) {
    other = InetPeer(local, peer);
  }
  // (0: a peer on another machine, or one not accepted yet: its accept pairs them.)
  if (other && other != inode) AddSocketPeers(*r, inode, other);
}

}  // namespace threadlens::rt
