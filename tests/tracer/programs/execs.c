/* Takes a lock, then replaces itself with another traced program (mutex_ops, beside it):
 * the first image's trace is closed before exec, the new image writes FILE.PID. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  (void)argc;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  char path[4096];
  snprintf(path, sizeof path, "%s", argv[0]);
  char* slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (slash ? (size_t)(slash + 1 - path) : 0),
           "mutex_ops");
  printf("PID %d\n", (int)getpid());
  fflush(stdout);
  execl(path, path, (char*)NULL);
  perror("execl");
  return 1;
}
