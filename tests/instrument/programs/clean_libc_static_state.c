/* The twin of race_libc_static_state: the calls that use libc's own state are made under one
 * mutex, and main changes the environment before it starts the threads. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t libc_state = PTHREAD_MUTEX_INITIALIZER;

static void* worker(void* arg) {
  (void)arg;
  char list[32];
  strcpy(list, "a,b,c");
  int fields = 0, year = 0;
  pthread_mutex_lock(&libc_state);
  for (char* f = strtok(list, ","); f; f = strtok(NULL, ",")) ++fields;
  time_t epoch = 0;
  const struct tm* t = localtime(&epoch);
  if (t) year = t->tm_year;
  pthread_mutex_unlock(&libc_state);
  const char* home = getenv("HOME");  /* getenv beside getenv: both only read */
  printf("%d %d %s\n", fields, year, home ? "home" : "-");
  return NULL;
}

int main(void) {
  setenv("THREADLENS_EXAMPLE", "1", 1);
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
