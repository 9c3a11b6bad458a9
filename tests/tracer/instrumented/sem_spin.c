// Main tries sem_trywait again and again until a thread, about 20 ms on, posts the
// semaphore. `ordered`: the thread sets `data` before it posts, and main reads `data` once its
// try took the semaphore (the post orders them: no race). `late`: the thread sets `data`
// after posting (a race). With the prefix `timed-` main waits with sem_timedwait and a
// deadline already past instead. Prints the semaphore's address and how many tries failed.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sem_t sem;
static int data;
static int late;

static void* Poster(void* arg) {
  (void)arg;
  usleep(20000);
  if (!late) data = 1;
  sem_post(&sem);
  if (late) data = 1;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2 || sem_init(&sem, 0, 0) != 0) return 2;
  const int timed = strncmp(argv[1], "timed-", 6) == 0;
  late = strcmp(argv[1] + (timed ? 6 : 0), "late") == 0;
  printf("SEM %p\n", (void*)&sem);
  pthread_t t;
  pthread_create(&t, NULL, Poster, NULL);
  long failed = 0;
  const struct timespec past = {0, 0};
  while ((timed ? sem_timedwait(&sem, &past) : sem_trywait(&sem)) != 0) ++failed;
  const int seen = data;
  pthread_join(t, NULL);
  sem_destroy(&sem);
  printf("FAILED %ld seen %d\n", failed, seen);
  return 0;
}
