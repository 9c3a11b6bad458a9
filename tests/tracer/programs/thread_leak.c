// A thread that ends and is never joined nor detached (a thread leak); with "join" main joins
// it, with "detach" main detaches it after it ended, with "attr" it is created detached, with
// "exit" the worker ends the whole process with _exit while main waits; with "pthread_exit"
// the worker ends itself through pthread_exit (a leak too).
// Expected: thread-leak only without an argument.
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static atomic_int done;

static void* worker(void* arg) {
  if (arg == &done) _exit(0);
  atomic_store(&done, 1);
  if (arg) pthread_exit(NULL);  // PTHREAD_EXIT
  return NULL;
}

int main(int argc, char** argv) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (argc > 1 && strcmp(argv[1], "attr") == 0) {
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  }
  pthread_t t;
  const int exits = argc > 1 && strcmp(argv[1], "exit") == 0;
  const int ends_itself = argc > 1 && strcmp(argv[1], "pthread_exit") == 0;
  pthread_create(&t, &attr, worker, exits ? (void*)&done : ends_itself ? (void*)&attr : NULL);
  while (!atomic_load(&done)) usleep(1000);
  usleep(100000);  // let the worker finish exiting
  if (argc > 1 && strcmp(argv[1], "join") == 0) pthread_join(t, NULL);
  if (argc > 1 && strcmp(argv[1], "detach") == 0) pthread_detach(t);
  return 0;
}
