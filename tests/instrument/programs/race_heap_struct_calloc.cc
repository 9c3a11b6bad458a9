// Structs from calloc and malloc, C style: two workers count into the same ones without a
// lock. Each block's type comes from the pointer variable the allocation lands in (tested
// first, or first moved to another register: the two shapes optimized code takes).
// CHECK: race Conn::bytes_in in heap block allocated at NewConn(int) race_heap_struct_calloc.cc:28
// CHECK: race Totals::errors in heap block allocated at NewTotals() race_heap_struct_calloc.cc:37
#include <cstdio>
#include <cstdlib>
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

void Receive(Conn* c, Totals* t, int n) {
  for (int i = 0; i < n; ++i) c->bytes_in += 1;  // RACE
  for (int i = 0; i < n; ++i) t->errors += 1;    // RACE
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
