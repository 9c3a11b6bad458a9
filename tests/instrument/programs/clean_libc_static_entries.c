/* The twin of race_libc_static_entries: the same calls, one thread after the other (the
 * join orders the first thread's calls before the second's). */
// CHECK: no-race
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>

static void* worker(void* arg) {
  (void)arg;
  const struct passwd* by_id = getpwuid(0);
  const struct passwd* by_name = getpwnam("root");
  const struct group* group_id = getgrgid(0);
  const struct group* group_name = getgrnam("root");
  printf("%d %d %d %d\n", by_id != NULL, by_name != NULL, group_id != NULL,
         group_name != NULL);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_join(a, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_join(b, NULL);
  return 0;
}
