// A thread spins on a test-and-set (a sequentially consistent exchange, the default) of a
// word main holds; a third thread, once it saw the word taken with an acquire load, reads the
// word plainly (`peek`) while the spinner keeps writing it: a race with the spinner's later
// tries, which the try the reader synchronized with does not cover. `atomic`: the reader
// reads it atomically (no race).
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Atomic int word = 1;  // held by main
static int plain_peek;
static int seen;

static void* Spin(void* arg) {
  (void)arg;
  while (atomic_exchange(&word, 1)) {
  }
  return NULL;
}

static void* Peek(void* arg) {
  (void)arg;
  usleep(20000);  // the spinner is trying by now
  while (atomic_load_explicit(&word, memory_order_acquire) != 1) {
  }
  seen = plain_peek ? *(volatile int*)&word : atomic_load_explicit(&word, memory_order_relaxed);
  return NULL;
}

int main(int argc, char** argv) {
  plain_peek = argc > 1 && strcmp(argv[1], "peek") == 0;
  printf("WORD %p\n", (void*)&word);
  pthread_t s, p;
  pthread_create(&s, NULL, Spin, NULL);
  pthread_create(&p, NULL, Peek, NULL);
  pthread_join(p, NULL);
  usleep(20000);  // the spinner tries on after the peek
  atomic_store_explicit(&word, 0, memory_order_release);
  pthread_join(s, NULL);
  printf("seen %d\n", seen);
  return 0;
}
