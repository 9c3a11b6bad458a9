// pthread_once orders the initializer before every caller, not the callers among
// themselves: one caller updating the table races with another reading it.
// CHECK: race *
#include <pthread.h>

#include <cstdio>
#include <thread>

pthread_once_t table_once = PTHREAD_ONCE_INIT;
int table[8];

void FillTable() {
  for (int i = 0; i < 8; ++i) table[i] = i;
}

int main() {
  int seen = 0;
  std::thread updater([] {
    pthread_once(&table_once, FillTable);
    table[3] = 33;  // RACE
  });
  std::thread reader([&seen] {
    pthread_once(&table_once, FillTable);
    seen = table[3];  // RACE
  });
  updater.join();
  reader.join();
  std::printf("%d\n", seen);
}
