// The fix of race_use_after_free: the session is deleted after the worker is joined.
// CHECK: no-race
#include <cstdio>
#include <thread>

struct Session {
  long id = 7;
  long bytes = 0;
};

void Serve(Session* s) {
  long seen = s->bytes;
  std::printf("served %ld\n", seen);
}

int main() {
  Session* s = new Session;
  std::thread worker(Serve, s);
  worker.join();
  delete s;
}
