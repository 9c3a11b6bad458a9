/* Main waits on a semaphore that its SIGALRM handler posts; the alarm (or an ITIMER_REAL
 * timer, argument "itimer") fires after 2 s, past the watchdog's delay. The program is
 * waiting, not hung: it ends on its own. With "hang" it then waits again, and nothing will
 * post: a hang once the timer is past. */
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static sem_t done;

static void OnAlarm(int sig) {
  (void)sig;
  sem_post(&done);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "alarm";
  sem_init(&done, 0, 0);
  signal(SIGALRM, OnAlarm);
  if (strcmp(mode, "itimer") == 0) {
    struct itimerval t = {{0, 0}, {2, 0}};
    setitimer(ITIMER_REAL, &t, NULL);
  } else {
    alarm(2);
  }
  while (sem_wait(&done) != 0) {
  }
  puts("woken by the timer");
  fflush(stdout);
  if (strcmp(mode, "hang") == 0) {
    while (sem_wait(&done) != 0) {
    }
  }
  return 0;
}
