// An order violation: the worker uses `config` assuming the loader has set it by the time
// the worker is through its 50 ms of set-up, which a plain run always sees. Both log under
// one lock, and that lock orders the loader's write before the worker's read exactly when
// the loader logs first; when the worker runs first, the read races with the write.
// `fixed`: the worker waits, under the lock, until the loader says the config is loaded.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "threadlens/threadlens.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t loaded_cv = PTHREAD_COND_INITIALIZER;
static int config, loaded, fixed, log_lines;

static void busy(int ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do clock_gettime(CLOCK_MONOTONIC, &now);
  while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

static void* loader(void* arg) {
  (void)arg;
  threadlens_name_thread("loader");
  threadlens_write(&config, sizeof config);
  config = 42;
  pthread_mutex_lock(&log_lock);
  loaded = 1;
  pthread_cond_broadcast(&loaded_cv);
  ++log_lines;  // "config loaded"
  pthread_mutex_unlock(&log_lock);
  return NULL;
}

static void* worker(void* arg) {
  (void)arg;
  threadlens_name_thread("worker");
  busy(50);
  pthread_mutex_lock(&log_lock);
  while (fixed && !loaded) pthread_cond_wait(&loaded_cv, &log_lock);
  ++log_lines;  // "worker ready"
  pthread_mutex_unlock(&log_lock);
  threadlens_read(&config, sizeof config);
  return (void*)(long)config;
}

int main(int argc, char** argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  threadlens_name_variable(&config, sizeof config, "config");
  pthread_t w, l;
  void* seen;
  pthread_create(&l, NULL, loader, NULL);
  pthread_create(&w, NULL, worker, NULL);
  pthread_join(w, &seen);
  pthread_join(l, NULL);
  puts("done");
  return 0;
}
