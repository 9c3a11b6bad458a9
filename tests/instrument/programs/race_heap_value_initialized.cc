// Objects of aggregate types made by `new T{}` and `new T()`: no constructor to name them,
// and the block is zeroed (a memset) before the local pointer variable takes it, which
// optimized code keeps in a callee-saved register from after that call on. Two workers
// count into the same objects without a lock.
// CHECK: race Slot::hits in heap block allocated at main race_heap_value_initialized.cc:31
// CHECK: race Gauge::level in heap block allocated at main race_heap_value_initialized.cc:32
#include <cstdio>
#include <thread>

struct Slot {
  long key;
  long hits;
  long spare[6];
};

struct Gauge {
  int id;
  double level;
  char label[40];
};

void Work(Slot* s, Gauge* g, int n) {
  for (int i = 0; i < n; ++i) {
    s->hits += 1;     // RACE
    g->level += 0.5;  // RACE
  }
}

int main() {
  // Held in locals only: the pointer variables' debug info names the blocks.
  Slot* slot = new Slot{};
  Gauge* gauge = new Gauge();
  std::thread x(Work, slot, gauge, 100);
  std::thread y(Work, slot, gauge, 100);
  x.join();
  y.join();
  std::printf("%ld %.1f\n", slot->hits, gauge->level);
  delete slot;
  delete gauge;
}
