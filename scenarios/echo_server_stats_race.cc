// Scenario echo_server_stats_race: echo_server with one change: the client handler threads add
// to the shared byte counter without taking stats_lock. The fix is echo_server.cc.
//
// STORY: the ClientHandler threads do bytes_echoed += n with no lock
// EXPECT: race variables=bytes_echoed
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

constexpr int kClients = 3;
constexpr int kMessagesPerClient = 3;

class EchoServer {
 public:
  EchoServer() {
    threadlens_name_lock(&clients_lock_, "clients_lock");
    threadlens_name_variable(&bytes_echoed_, sizeof bytes_echoed_, "bytes_echoed");
  }

  // Listens on 127.0.0.1 with a port the kernel picks; returns that port.
  uint16_t Start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, kClients) != 0) {
      std::perror("echo server: bind/listen");
      std::exit(1);
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    acceptor_ = std::thread([this] { AcceptLoop(); });
    return ntohs(addr.sin_port);
  }

  // Called from the main thread: shutting a socket down wakes the thread blocked on it.
  void Stop() {
    shutdown(listen_fd_, SHUT_RDWR);  // accept() fails from now on
    acceptor_.join();
    std::lock_guard<std::mutex> lock(clients_lock_);
    for (int fd : client_fds_) shutdown(fd, SHUT_RDWR);  // recv() returns 0
    for (std::thread& handler : handlers_) handler.join();
    for (int fd : client_fds_) close(fd);
    close(listen_fd_);
  }

  // Read once the handlers were joined.
  uint64_t BytesEchoed() { return bytes_echoed_; }

 private:
  void AcceptLoop() {
    threadlens_name_thread("Acceptor");
    for (int id = 1;; ++id) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;  // the listening socket was shut down
      std::lock_guard<std::mutex> lock(clients_lock_);
      client_fds_.push_back(fd);
      handlers_.emplace_back([this, fd, id] { Serve(fd, id); });
    }
  }

  void Serve(int fd, int id) {
    std::string name = "ClientHandler-" + std::to_string(id);
    threadlens_name_thread(name.c_str());
    char buffer[256];
    for (;;) {
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;  // the client left or the server is stopping
      send(fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL);
      bytes_echoed_ += static_cast<uint64_t>(n);  // the bug: every handler updates it, no lock
    }
  }

  int listen_fd_ = -1;
  std::thread acceptor_;
  std::mutex clients_lock_;
  std::vector<int> client_fds_;
  std::vector<std::thread> handlers_;
  uint64_t bytes_echoed_ = 0;
};

// A client sends a few lines, reads each echo back, then stays connected until the server
// goes away.
void RunClient(int id, uint16_t port, std::latch& exchanged) {
  std::string name = "Client-" + std::to_string(id);
  threadlens_name_thread(name.c_str());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("client: connect");
    std::exit(1);
  }
  for (int m = 0; m < kMessagesPerClient; ++m) {
    std::string line = "hello from client " + std::to_string(id) + " #" + std::to_string(m) + "\n";
    send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    std::string echo;
    char buffer[256];
    while (echo.size() < line.size()) {
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      echo.append(buffer, static_cast<size_t>(n));
    }
    if (echo != line) std::fprintf(stderr, "%s: bad echo\n", name.c_str());
  }
  exchanged.count_down();
  char byte;
  while (recv(fd, &byte, 1, 0) > 0) {
  }  // until the server shuts our connection down
  close(fd);
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  EchoServer server;
  uint16_t port = server.Start();
  std::printf("echo server on 127.0.0.1:%u\n", port);

  std::latch exchanged(kClients);
  std::vector<std::thread> clients;
  for (int id = 1; id <= kClients; ++id) {
    clients.emplace_back(RunClient, id, port, std::ref(exchanged));
  }
  exchanged.wait();
  server.Stop();
  for (std::thread& client : clients) client.join();

  std::printf("echoed %llu bytes\n", static_cast<unsigned long long>(server.BytesEchoed()));
  return 0;
}
