/* Closes every descriptor above stderr, the recording's counter included, then runs itself
 * again with exec: the new image must still join the recording. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  if (argc > 1 && strcmp(argv[1], "again") == 0) {
    printf("new image\n");
    return 0;
  }
  for (int fd = 3; fd < 1024; ++fd) close(fd);
  fflush(stdout);
  execl("/proc/self/exe", argv[0], "again", (char*)NULL);
  return 1;
}
