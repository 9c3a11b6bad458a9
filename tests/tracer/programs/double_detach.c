// Detaches a running thread twice (misuse: double-detach); with "once" only once. The worker
// waits until both detaches are done, so the second one meets a live, detached thread.
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <unistd.h>

static sem_t go;

static void* worker(void* arg) {
  (void)arg;
  sem_wait(&go);
  return NULL;
}

int main(int argc, char** argv) {
  sem_init(&go, 0, 0);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_detach(t);
  if (!(argc > 1 && strcmp(argv[1], "once") == 0)) pthread_detach(t);
  sem_post(&go);
  usleep(100000);
  return 0;
}
