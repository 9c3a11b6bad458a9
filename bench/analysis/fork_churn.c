// A server that forks a child per request while its heap holds many blocks: the parent
// allocates BLOCKS blocks, then forks FORKS children one after another, each of which writes
// one byte of an inherited block and exits; the parent waits for each. Every fork copies the
// parent's live blocks into the child's addresses in the analysis; the benchmark shows what
// each more fork costs it (bench/fork_churn.sh).
//   bench_analysis_fork_churn [FORKS [BLOCKS]]
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const int forks = argc > 1 ? atoi(argv[1]) : 100;
  const int blocks = argc > 2 ? atoi(argv[2]) : 10000;
  char **live = malloc(sizeof(char *) * (size_t)blocks);
  if (!live) return 1;
  for (int i = 0; i < blocks; ++i) live[i] = malloc(32 + (size_t)(i % 64));
  for (int f = 0; f < forks; ++f) {
    const pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      live[f % blocks][0] = 1;
      _exit(0);
    }
    waitpid(child, NULL, 0);
  }
  for (int i = 0; i < blocks; ++i) free(live[i]);
  free(live);
  printf("%d forks\n", forks);
  return 0;
}
