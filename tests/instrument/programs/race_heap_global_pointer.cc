// Blocks from calloc, new (a type with no constructor) and malloc, stored straight into
// global pointers; two threads update one member or element of each with no lock. Each is
// named by the global's pointee type: the code after the allocation stores the returned
// pointer into the global.
// CHECK: race Stats::misses in heap block allocated at main race_heap_global_pointer.cc:25
// CHECK: race Pod::b in heap block allocated at main race_heap_global_pointer.cc:26
// CHECK: race double[6] in heap block allocated at main race_heap_global_pointer.cc:27
#include <cstdio>
#include <cstdlib>
#include <thread>

struct Stats {
  long hits;
  long misses;
};
struct Pod {
  int a;
  int b;
};
Stats* g_stats;
Pod* g_pod;
double* g_vals;

int main() {
  g_stats = static_cast<Stats*>(std::calloc(1, sizeof(Stats)));
  g_pod = new Pod;
  g_vals = static_cast<double*>(std::malloc(8 * sizeof(double)));
  g_pod->a = g_pod->b = 0;
  for (int i = 0; i < 8; ++i) g_vals[i] = 0;
  auto work = [] {
    g_stats->misses++;  // RACE
    g_pod->b++;         // RACE
    g_vals[6] += 1;     // RACE
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("%ld %d %g\n", g_stats->misses, g_pod->b, g_vals[6]);
  std::free(g_vals);
  delete g_pod;
  std::free(g_stats);
}
