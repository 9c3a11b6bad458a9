// One racy statement the compiler emits at two places (after the two paths of a result's
// destructor): each pair of its pcs races, yet it is one bug, on one line, reported once, as
// ThreadSanitizer does.
// CHECK: race served
#include <cstdio>
#include <cstdlib>
#include <thread>

long served;

struct Result {
  char* error = nullptr;
  ~Result() { delete[] error; }
  bool ok() const { return error == nullptr; }
};

__attribute__((noinline)) Result Fetch(int i) {
  Result r;
  if (i % 5 == 0) {
    r.error = new char[4];
    r.error[0] = 'x';
  }
  return r;
}

static void Serve() {
  for (int i = 0; i < 20000; ++i) {
    Result r = Fetch(i);
    if (!r.ok() && r.error[0] != 'x') std::abort();
    served++;  // RACE
  }
}

int main() {
  std::thread a(Serve), b(Serve);
  a.join();
  b.join();
  std::printf("%d\n", served > 0);
}
