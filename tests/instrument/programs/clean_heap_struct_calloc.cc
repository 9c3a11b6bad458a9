// The twin of race_heap_struct_calloc: the workers count under a mutex.
// CHECK: no-race
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

struct Conn {
  int fd;
  long bytes_in;
  long bytes_out;
};

struct Totals {
  long requests;
  long errors;
};

std::mutex counts;

void Receive(Conn* c, Totals* t, int n) {
  std::lock_guard<std::mutex> hold(counts);
  for (int i = 0; i < n; ++i) c->bytes_in += 1;
  for (int i = 0; i < n; ++i) t->errors += 1;
}

__attribute__((noinline)) Conn* NewConn(int fd) {
  Conn* c;
  if (!(c = static_cast<Conn*>(calloc(1, sizeof(Conn))))) {
    std::fprintf(stderr, "out of memory\n");
    return nullptr;
  }
  c->fd = fd;
  return c;
}

__attribute__((noinline)) Totals* NewTotals() {
  Totals* t = static_cast<Totals*>(malloc(sizeof(Totals)));
  if (t) *t = Totals{};
  return t;
}

int main() {
  Conn* c = NewConn(3);
  Totals* t = NewTotals();
  if (!c || !t) return 1;
  std::thread a(Receive, c, t, 100), b(Receive, c, t, 100);
  a.join();
  b.join();
  std::printf("%ld %ld\n", c->bytes_in, t->errors);
  free(c);
  free(t);
}
