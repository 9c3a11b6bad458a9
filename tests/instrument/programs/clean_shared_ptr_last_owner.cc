// Three owners of one std::shared_ptr drop it on three threads; whichever drops it last
// runs the destructor, which writes the object. The count's decrement is acq_rel, so every
// owner's use happens before the destruction. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <cstdio>
#include <memory>
#include <thread>

struct Obj {
  int v[8] = {};
  ~Obj() { v[0] = -1; }
};

int main() {
  auto p = std::make_shared<Obj>();
  p->v[1] = 5;
  std::thread a([q = p]() mutable {
    std::printf("%d\n", q->v[1]);
    q.reset();
  });
  std::thread b([q = p]() mutable {
    q->v[2] = 1;
    q.reset();
  });
  p.reset();
  a.join();
  b.join();
}
