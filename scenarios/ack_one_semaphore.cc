// Scenario ack_one_semaphore: the Client hands a request to the Server and waits for its
// acknowledgement on the same semaphore it posted the request on. The Client logs the request
// before it waits, so in a normal run the Server has taken the request by then and posts the
// acknowledgement, and nothing hangs. The bug is still there: had the Client reached its wait
// first, it would have taken its own post, and the Server would wait forever. The fix is
// ack_two_semaphores.cc.
//
// STORY: one semaphore for request and acknowledgement; only `--predict` shows the stolen post
// EXPECT: clean
#include <semaphore.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "threadlens/threadlens.h"

sem_t channel;  // request, then acknowledgement: the bug
int request = 0;

namespace {

using namespace std::chrono_literals;

void Serve() {
  threadlens_name_thread("Server");
  sem_wait(&channel);
  const int r = request;
  sem_post(&channel);
  std::printf("served request %d\n", r);
}

void Ask() {
  threadlens_name_thread("Client");
  request = 42;
  sem_post(&channel);
  std::this_thread::sleep_for(100ms);  // logs the request: the Server has taken it by now
  sem_wait(&channel);
  std::printf("acknowledged\n");
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  sem_init(&channel, 0, 0);
  std::thread server(Serve);
  std::thread client(Ask);
  client.join();
  server.join();
  sem_destroy(&channel);
  return 0;
}
