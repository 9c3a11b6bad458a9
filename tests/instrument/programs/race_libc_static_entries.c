/* Two threads call libc functions that return a static entry, with nothing between them:
 * getpwuid, getpwnam, getgrgid and getgrnam (each has an entry of its own). Each call
 * writes that entry. (ThreadSanitizer, clang 14, sees the same four.) */
// CHECK: race the entry of getpwuid
// CHECK: race the entry of getpwnam
// CHECK: race the entry of getgrgid
// CHECK: race the entry of getgrnam
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>

static void* worker(void* arg) {
  (void)arg;
  const struct passwd* by_id = getpwuid(0);  // RACE
  const struct passwd* by_name = getpwnam("root");  // RACE
  const struct group* group_id = getgrgid(0);  // RACE
  const struct group* group_name = getgrnam("root");  // RACE
  printf("%d %d %d %d\n", by_id != NULL, by_name != NULL, group_id != NULL,
         group_name != NULL);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
