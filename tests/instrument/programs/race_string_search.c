/* A thread searches and compares strings with strspn, strcasecmp and memmem while main
 * rewrites them, with nothing between: each call reads its string inside libc. */
// CHECK: race digits[0]
// CHECK: race word[0]
// CHECK: race blob[0]
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
  size_t n = strspn(digits, "0123456789");  // RACE
  int same = strcasecmp(word, "HELLO");       // RACE
  void* at = memmem(blob, 8, "def", 3);       // RACE
  printf("%zu %d %d\n", n, same, at != NULL);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, searcher, NULL);
  digits[0] = '9';  // RACE
  word[0] = 'J';    // RACE
  blob[0] = 'z';    // RACE
  pthread_join(t, NULL);
  return 0;
}
