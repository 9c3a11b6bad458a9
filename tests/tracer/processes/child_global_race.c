/* A forked child's two threads increment a global with nothing between them: a race in the
 * child, on a variable of the image it shares with its parent. With "heap", they increment a
 * field of a block the parent allocated before the fork (the child's copy of it), and the
 * child frees it. With "raw", an int of memory no allocation the trace sees made (sbrk),
 * whose address the child prints. With "uaf", the child's worker frees a block the child's
 * main allocated, and main reads it after the join (a use after free the join orders); with
 * "used-first", main reads it before it starts the worker (no finding). With "file", the
 * parent maps a file shared before the fork and prints the address of the int the child's
 * threads then race on. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int child_counter;
static int* counters;
static int counters_raw;

static void* FreeIt(void* arg) {
  free(arg);
  return NULL;
}

/* The child's "uaf" and "used-first" modes: its exit status is 0. */
static int UseAndFree(int after) {
  int* block = malloc(16 * sizeof(int));
  block[3] = 1;
  int v = after ? 0 : ((volatile int*)block)[3];
  pthread_t t;
  pthread_create(&t, NULL, FreeIt, block);
  pthread_join(t, NULL);
  if (after) v = ((volatile int*)block)[3];
  return v == 7;
}

static void* Worker(void* arg) {
  (void)arg;
  if (counters) {
    counters[3]++;
  } else {
    child_counter++;
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "heap") == 0) counters = calloc(8, sizeof(int));
  char path[] = "/tmp/threadlens-shared-XXXXXX";
  if (argc > 1 && strcmp(argv[1], "file") == 0) {
    const int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
    counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (counters == MAP_FAILED) return 1;
    printf("%p\n", (void*)&counters[3]);
    fflush(stdout);
    counters_raw = 1; /* not freed: unmapped */
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (argc > 1 && (strcmp(argv[1], "uaf") == 0 || strcmp(argv[1], "used-first") == 0)) {
      _exit(UseAndFree(strcmp(argv[1], "uaf") == 0));
    }
    if (argc > 1 && strcmp(argv[1], "raw") == 0) {
      counters = sbrk(4096);
      printf("%p\n", (void*)&counters[3]);
      fflush(stdout);
      counters_raw = 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, Worker, NULL);
    Worker(NULL);
    pthread_join(t, NULL);
    if (!counters_raw) free(counters);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", child_counter);
  if (counters_raw) {
    munmap(counters, 4096);
    unlink(path);
  } else {
    free(counters);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
