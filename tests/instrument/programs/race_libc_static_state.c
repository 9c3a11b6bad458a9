/* Two threads call libc functions that keep state of their own, with nothing between them:
 * strtok (its saved position), localtime (its static struct tm), and getenv while main calls
 * setenv (the environment). Each call is an access to that state. */
// CHECK: race strtok's saved position
// CHECK: race the struct tm of localtime and gmtime
// CHECK: race the environment (getenv, setenv, putenv)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void* worker(void* arg) {
  (void)arg;
  char list[32];
  strcpy(list, "a,b,c");
  int fields = 0;
  for (char* f = strtok(list, ","); f; f = strtok(NULL, ",")) ++fields;  // RACE
  time_t epoch = 0;
  const struct tm* t = localtime(&epoch);  // RACE
  const char* home = getenv("HOME");       // RACE
  printf("%d %d %s\n", fields, t ? t->tm_year : 0, home ? "home" : "-");
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  setenv("THREADLENS_EXAMPLE", "1", 1);  // RACE
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
