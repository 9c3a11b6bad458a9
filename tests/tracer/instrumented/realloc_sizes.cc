// Blocks grown with realloc, for the tracer test of the frees realloc records: prints each
// old block's address and usable size before the call.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>

int main() {
  char* small = static_cast<char*>(std::malloc(4096));
  char* neighbour = static_cast<char*>(std::malloc(64));  // keeps `small` from growing in place
  // Mapped on its own; the mapping above it (made earlier) keeps it from growing in place.
  char* big = static_cast<char*>(std::malloc(1 << 20));
  if (!small || !neighbour || !big) return 1;
  std::printf("SMALL %lx\nSMALL_SIZE %zx\n", reinterpret_cast<unsigned long>(small),
              malloc_usable_size(small));
  std::printf("BIG %lx\nBIG_SIZE %zx\n", reinterpret_cast<unsigned long>(big),
              malloc_usable_size(big));
  std::fflush(stdout);
  small = static_cast<char*>(std::realloc(small, 1 << 16));
  big = static_cast<char*>(std::realloc(big, 64 << 20));
  if (!small || !big) return 1;
  small[0] = big[0] = 1;
  std::printf("DONE %d\n", small[0] + big[0]);
  std::free(small);
  std::free(big);
  std::free(neighbour);
}
