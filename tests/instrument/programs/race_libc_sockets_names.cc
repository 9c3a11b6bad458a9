// Socket options, addresses and interface names, each racing a plain write of another
// thread: setsockopt reads its option, bind and connect their address, inet_aton its text
// (and writes the address), if_nametoindex reads a name, if_indextoname writes one, and
// getifaddrs stores its list. (ThreadSanitizer, clang 14, sees the five last: inet_aton's
// two, the interface names and getifaddrs.)
// CHECK: race reuse
// CHECK: race local.sin_port
// CHECK: race remote.sin_port
// CHECK: race dotted[0]
// CHECK: race parsed.s_addr
// CHECK: race loopback[0]
// CHECK: race first_name[0]
// CHECK: race interfaces
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
    reuse = 1;  // RACE
    local.sin_port = 0;  // RACE
    remote.sin_port = 0;  // RACE
    dotted[0] = '1';  // RACE
    parsed.s_addr = 0;  // RACE
    loopback[0] = 'l';  // RACE
    first_name[0] = 0;  // RACE
    interfaces = nullptr;  // RACE
  });
  long sum = setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);  // RACE
  sum += bind(server, reinterpret_cast<sockaddr*>(&local), sizeof local);  // RACE
  sum += connect(client, reinterpret_cast<sockaddr*>(&remote), sizeof remote);  // RACE
  sum += inet_aton(dotted, &parsed);  // RACE
  sum += if_nametoindex(loopback);  // RACE
  sum += if_indextoname(1, first_name) != nullptr;  // RACE
  sum += getifaddrs(&interfaces);  // RACE
  writer.join();
  if (interfaces) freeifaddrs(interfaces);
  close(server);
  close(client);
  std::printf("%d\n", sum != 0);
}
