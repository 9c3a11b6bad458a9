// A statistics counter whose races are intended, declared benign the way code written for
// TSan declares it (dynamic_annotations.h): no race is reported on it.
// CHECK: no-race
#include <cstdio>
#include <thread>

extern "C" void AnnotateBenignRaceSized(const char* file, int line, const volatile void* mem,
                                        unsigned long size, const char* description);

long approximate_hits = 0;

void Hit() {
  for (int i = 0; i < 1000; ++i) approximate_hits = approximate_hits + 1;
}

int main() {
  AnnotateBenignRaceSized(__FILE__, __LINE__, &approximate_hits, sizeof approximate_hits,
                          "statistics only");
  std::thread a(Hit), b(Hit);
  a.join();
  b.join();
  std::printf("about %ld hits\n", approximate_hits);
}
