// A single-producer, single-consumer ring of the shape of a server's I/O job queue: the
// consumer spins on two loads, the queue's head (acquire) and its own tail (relaxed), until
// the producer publishes an item with a release store of the head. argv[1] items, a short
// sleep before each, so the consumer spins between them. `late`: the producer fills the item
// after publishing it (a race the spin's acquire does not order); otherwise before. `stop`:
// the consumer's wait also loads a stop flag nobody sets (a spin over three locations).
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kSlots = 64 };
static long items[kSlots];
static _Atomic unsigned long head, tail;
static long count;
static int late, stop_too;
_Atomic int stop;  // not static: never stored, a static one would be folded away

static void* Produce(void* arg) {
  (void)arg;
  for (long i = 0; i < count; ++i) {
    usleep(50);
    // Room: the consumer takes each item long before 64 are out.
    while (atomic_load_explicit(&head, memory_order_relaxed) -
               atomic_load_explicit(&tail, memory_order_acquire) >= kSlots) {
    }
    const unsigned long h = atomic_load_explicit(&head, memory_order_relaxed);
    if (!late) items[h % kSlots] = i + 1;
    atomic_store_explicit(&head, h + 1, memory_order_release);
    if (late) items[h % kSlots] = i + 1;
  }
  return NULL;
}

int main(int argc, char** argv) {
  count = argc > 1 ? atol(argv[1]) : 1000;
  late = argc > 2 && strcmp(argv[2], "late") == 0;
  stop_too = argc > 2 && strcmp(argv[2], "stop") == 0;
  printf("HEAD %p\nTAIL %p\n", (void*)&head, (void*)&tail);
  pthread_t producer;
  pthread_create(&producer, NULL, Produce, NULL);
  long sum = 0, zeros = 0;
  for (long i = 0; i < count; ++i) {
    unsigned long t;
    while (atomic_load_explicit(&head, memory_order_acquire) ==
               (t = atomic_load_explicit(&tail, memory_order_relaxed)) &&
           !(stop_too && atomic_load_explicit(&stop, memory_order_relaxed))) {
    }
    const long v = items[t % kSlots];
    zeros += v == 0;
    sum += v;
    atomic_store_explicit(&tail, t + 1, memory_order_release);
  }
  pthread_join(producer, NULL);
  printf("taken %ld\n", count - zeros);
  (void)sum;
  return 0;
}
