/* Its stdout becomes a pipe nobody reads: exit's flush of what stdout holds raises SIGPIPE,
   which ends the program (status 141), traced or not. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  dup2(fds[1], 1);
  close(fds[0]);
  close(fds[1]);
  printf("held by stdout until exit\n");  /* stdout is a pipe: fully buffered */
  return 0;
}
