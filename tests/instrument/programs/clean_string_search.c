/* The twin of race_string_search: main rewrites the strings only after joining the thread
 * that searches them. */
// CHECK: no-race
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static char digits[16] = "12345x";
static char word[16] = "Hello";
static char blob[16] = "abcdefgh";

static void* searcher(void* arg) {
  (void)arg;
  size_t n = strspn(digits, "0123456789");
  int same = strcasecmp(word, "HELLO");
  void* at = memmem(blob, 8, "def", 3);
  printf("%zu %d %d\n", n, same, at != NULL);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, searcher, NULL);
  pthread_join(t, NULL);
  digits[0] = '9';
  word[0] = 'J';
  blob[0] = 'z';
  return 0;
}
