// The twin of race_libc_sockets_names: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

int reuse = 1;
sockaddr_in local, remote;
char dotted[16] = "127.0.0.1";
in_addr parsed;
char loopback[IF_NAMESIZE] = "lo";
char first_name[IF_NAMESIZE];
ifaddrs* interfaces;

int main() {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (server < 0 || client < 0) return 1;
  local.sin_family = remote.sin_family = AF_INET;
  local.sin_addr.s_addr = remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::thread writer([] {
    reuse = 1;
    local.sin_port = 0;
    remote.sin_port = 0;
    dotted[0] = '1';
    parsed.s_addr = 0;
    loopback[0] = 'l';
    first_name[0] = 0;
    interfaces = nullptr;
  });
  writer.join();
  long sum = setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  sum += bind(server, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sum += connect(client, reinterpret_cast<sockaddr*>(&remote), sizeof remote);
  sum += inet_aton(dotted, &parsed);
  sum += if_nametoindex(loopback);
  sum += if_indextoname(1, first_name) != nullptr;
  sum += getifaddrs(&interfaces);
  if (interfaces) freeifaddrs(interfaces);
  close(server);
  close(client);
  std::printf("%d\n", sum != 0);
}
