/* Built without the instrumentation: `flock` waits for a file's lock that the same thread
 * holds through another descriptor (a self-deadlock); `sysv` decrements a System V semaphore nobody increments.
 * Either waits forever, for the watchdog to end. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sem.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "flock") == 0) {
    const char* path = "/tmp/threadlens-native-flock-hang";
    int held = open(path, O_CREAT | O_RDWR, 0600), other = open(path, O_RDWR);
    unlink(path);
    if (held < 0 || other < 0 || flock(held, LOCK_EX) != 0) return 1;
    flock(other, LOCK_EX);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "sysv") == 0) {
    int set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    struct sembuf down = {0, -1, 0};
    if (set < 0) return 1;
    printf("SET %d\n", set);  /* for the test to remove */
    fflush(stdout);
    semop(set, &down, 1);
    return 0;
  }
  fprintf(stderr, "usage: waits_nobody_ends flock|sysv\n");
  return 2;
}
