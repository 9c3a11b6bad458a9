// Joins and detaches that break a thread's contract, each beside its correct twin:
//   join-detached   joins a thread it detached (the worker is still running: EINVAL)
//   join            joins a joinable thread (fine)
//   detach-joined   detaches a thread it already joined (its descriptor is freed: ESRCH)
//   detach-ended    detaches a thread that ended unjoined (fine: that frees it)
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sem_t go;

static void* worker(void* arg) {
  (void)arg;
  sem_wait(&go);
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  sem_init(&go, 0, 0);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  if (strcmp(mode, "join-detached") == 0) {
    pthread_detach(t);
    int r = pthread_join(t, NULL);  // the worker waits on `go`: it is still there
    printf("join: %s\n", strerror(r));
    sem_post(&go);
    usleep(100000);  // let the detached worker end
  } else if (strcmp(mode, "join") == 0) {
    sem_post(&go);
    pthread_join(t, NULL);
  } else if (strcmp(mode, "detach-joined") == 0) {
    sem_post(&go);
    pthread_join(t, NULL);
    int r = pthread_detach(t);  // no other thread is created: the handle is not reused
    printf("detach: %s\n", strerror(r));
  } else if (strcmp(mode, "detach-ended") == 0) {
    sem_post(&go);
    usleep(100000);  // the worker ends; nobody joins it
    pthread_detach(t);
  }
  return 0;
}
