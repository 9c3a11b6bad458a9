/* One thread holds 200 locks at once, releases them in reverse, then a second pass in the
 * same order. */
#include <pthread.h>
#include <stdio.h>

enum { kLocks = 200 };
static pthread_mutex_t locks[kLocks];

int main(void) {
  for (int i = 0; i < kLocks; ++i) pthread_mutex_init(&locks[i], NULL);
  printf("FIRST %p\n", (void*)&locks[0]);
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < kLocks; ++i) pthread_mutex_lock(&locks[i]);
    for (int i = kLocks - 1; i >= 0; --i) pthread_mutex_unlock(&locks[i]);
  }
  return 0;
}
