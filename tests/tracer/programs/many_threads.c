/* 1000 short-lived threads, each taking one lock, joined in batches. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int total;

static void* work(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  ++total;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  enum { kThreads = 1000, kBatch = 50 };
  for (int i = 0; i < kThreads; i += kBatch) {
    pthread_t t[kBatch];
    for (int j = 0; j < kBatch; ++j) pthread_create(&t[j], NULL, work, NULL);
    for (int j = 0; j < kBatch; ++j) pthread_join(t[j], NULL);
  }
  printf("TOTAL %d\n", total);
  return total == kThreads ? 0 : 1;
}
