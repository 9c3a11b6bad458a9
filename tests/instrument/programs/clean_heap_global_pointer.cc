// The twin of race_heap_global_pointer: the threads update the blocks under a mutex.
// CHECK: no-race
#include <cstdio>
#include <cstdlib>
#include <mutex>
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
std::mutex mu;

int main() {
  g_stats = static_cast<Stats*>(std::calloc(1, sizeof(Stats)));
  g_pod = new Pod;
  g_vals = static_cast<double*>(std::malloc(8 * sizeof(double)));
  g_pod->a = g_pod->b = 0;
  for (int i = 0; i < 8; ++i) g_vals[i] = 0;
  auto work = [] {
    std::lock_guard<std::mutex> lock(mu);
    g_stats->misses++;
    g_pod->b++;
    g_vals[6] += 1;
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("%ld %d %g\n", g_stats->misses, g_pod->b, g_vals[6]);
  std::free(g_vals);
  delete g_pod;
  std::free(g_stats);
}
