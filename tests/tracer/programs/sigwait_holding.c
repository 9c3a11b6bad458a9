/* main waits for SIGUSR1 from its worker, which sends it with pthread_kill.
 *   hold     main holds a mutex while it waits in sigwait; the worker takes that mutex
 *            before it sends: neither goes on (a hang only a signal from outside ends)
 *   pause    the same with a handler and pause()
 *   free     main waits without the mutex: the worker sends, main returns
 *   daemon   main waits in sigwait holding nothing, beside a worker idle on a condition
 *            variable; a child process sends SIGUSR1 after 1.5 s, and main wakes the worker
 * Prints "got SIGUSR1" when main's wait returns. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static pthread_t main_thread;
static int take_lock, woken;

static void OnUsr1(int sig) { (void)sig; }

static void* Sender(void* arg) {
  (void)arg;
  if (take_lock) pthread_mutex_lock(&m);
  pthread_kill(main_thread, SIGUSR1);
  if (take_lock) pthread_mutex_unlock(&m);
  return NULL;
}

static void* Idle(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  while (!woken) pthread_cond_wait(&go, &m);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "hold";
  const int pausing = strcmp(mode, "pause") == 0, daemon = strcmp(mode, "daemon") == 0;
  take_lock = strcmp(mode, "free") != 0 && !daemon;
  main_thread = pthread_self();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  if (pausing) {
    signal(SIGUSR1, OnUsr1);
  } else {
    pthread_sigmask(SIG_BLOCK, &set, NULL);
  }
  pid_t child = -1;
  if (daemon && (child = fork()) == 0) {
    usleep(1500 * 1000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  if (take_lock) pthread_mutex_lock(&m);
  pthread_t t;
  pthread_create(&t, NULL, daemon ? Idle : Sender, NULL);
  int sig = 0;
  if (pausing) {
    pause();
  } else {
    sigwait(&set, &sig);
  }
  if (take_lock) pthread_mutex_unlock(&m);
  if (daemon) {
    pthread_mutex_lock(&m);
    woken = 1;
    pthread_cond_signal(&go);
    pthread_mutex_unlock(&m);
    waitpid(child, NULL, 0);
  }
  pthread_join(t, NULL);
  printf("got SIGUSR1\n");
  return 0;
}
