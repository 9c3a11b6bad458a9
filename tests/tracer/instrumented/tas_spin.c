// A test-and-set spin lock (an atomic_flag taken with an acquire test-and-set, as the C and
// C++ references show it) shared by two threads for argv[1] rounds each; the holder sleeps a
// little under the lock, so the other thread's test-and-sets find it taken. `relaxed`: the
// lock is given back with a relaxed clear, which orders nothing (the counter races);
// otherwise with a release clear. `seqcst`: taken with the default order (sequentially
// consistent, a release too) and given back so; `seqcst-relaxed`: given back relaxed.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_flag lock = ATOMIC_FLAG_INIT;
static long counter;  // plain: ordered by the lock
static long rounds;
static memory_order lock_order = memory_order_acquire;
static memory_order unlock_order = memory_order_release;

static void* Work(void* arg) {
  (void)arg;
  // Read once: a read in the loop would be an access between the tries.
  const memory_order order = lock_order;
  for (long i = 0; i < rounds; ++i) {
    while (atomic_flag_test_and_set_explicit(&lock, order)) {
    }
    ++counter;
    usleep(20);
    atomic_flag_clear_explicit(&lock, unlock_order);
  }
  return NULL;
}

int main(int argc, char** argv) {
  rounds = argc > 1 ? atol(argv[1]) : 200;
  const char* mode = argc > 2 ? argv[2] : "release";
  if (strncmp(mode, "seqcst", 6) == 0) lock_order = unlock_order = memory_order_seq_cst;
  if (strstr(mode, "relaxed")) unlock_order = memory_order_relaxed;
  printf("LOCK %p\n", (void*)&lock);
  pthread_t a, b;
  pthread_create(&a, NULL, Work, NULL);
  pthread_create(&b, NULL, Work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("counter %ld\n", counter);
  return 0;
}
