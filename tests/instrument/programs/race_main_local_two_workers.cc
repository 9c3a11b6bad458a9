// The tutorials' first race: main keeps a counter on its stack and two worker threads add
// to it through a reference while main waits for them. Neither racing access is main's:
// main's place (in main(), waiting in the joins) names the local.
// CHECK: race local variable hits of main() on T1's stack
#include <cstdio>
#include <thread>

void Count(long& hits) {
  for (int i = 0; i < 1000; ++i) hits += 1;  // RACE
}

int main() {
  long hits = 0;
  std::thread a(Count, std::ref(hits)), b(Count, std::ref(hits));
  a.join();
  b.join();
  std::printf("%ld\n", hits);
}
