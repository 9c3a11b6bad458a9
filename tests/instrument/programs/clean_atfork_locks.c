// pthread_atfork's usual guard: the prepare handler locks a mutex, the parent and child
// handlers unlock it, each in its own process. The child's unlock is of the lock its copy of
// the forking thread holds; the child then uses the mutex as the parent does.
// CHECK: no-misuse
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int state;

static void Prepare(void) { pthread_mutex_lock(&lock); }
static void Unlock(void) { pthread_mutex_unlock(&lock); }

static void* Worker(void* arg) {
  pthread_mutex_lock(&lock);
  ++state;
  pthread_mutex_unlock(&lock);
  return arg;
}

int main(void) {
  pthread_atfork(Prepare, Unlock, Unlock);
  pthread_t w;
  pthread_create(&w, NULL, Worker, NULL);
  const pid_t pid = fork();
  if (pid == 0) {
    pthread_mutex_lock(&lock);
    ++state;
    pthread_mutex_unlock(&lock);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  pthread_join(w, NULL);
  printf("%d\n", state);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
