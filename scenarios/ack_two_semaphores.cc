// Scenario ack_two_semaphores: the fix of ack_one_semaphore. The request and the
// acknowledgement have a semaphore each, so the Client can never take its own post, and
// `--predict` finds no schedule that hangs.
//
// STORY: a semaphore per direction; whichever thread comes first, each wait gets its post
// EXPECT: clean
#include <semaphore.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "threadlens/threadlens.h"

sem_t request_ready, request_done;
int request = 0;

namespace {

using namespace std::chrono_literals;

void Serve() {
  threadlens_name_thread("Server");
  sem_wait(&request_ready);
  const int r = request;
  sem_post(&request_done);
  std::printf("served request %d\n", r);
}

void Ask() {
  threadlens_name_thread("Client");
  request = 42;
  sem_post(&request_ready);
  std::this_thread::sleep_for(100ms);  // logs the request
  sem_wait(&request_done);
  std::printf("acknowledged\n");
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  sem_init(&request_ready, 0, 0);
  sem_init(&request_done, 0, 0);
  std::thread server(Serve);
  std::thread client(Ask);
  client.join();
  server.join();
  sem_destroy(&request_ready);
  sem_destroy(&request_done);
  return 0;
}
