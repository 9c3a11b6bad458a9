// A worker turns synchronization off with AnnotateIgnoreSyncBegin (from the preloaded
// runtime) and ends without the End: it finished with ignores enabled. With "ended" it
// calls the End first.
#include <pthread.h>
#include <string.h>

void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int ended;
static int count;

static void* worker(void* arg) {
  (void)arg;
  if (AnnotateIgnoreSyncBegin) AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  pthread_mutex_lock(&m);
  ++count;
  pthread_mutex_unlock(&m);
  if (ended && AnnotateIgnoreSyncEnd) AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  return NULL;
}

int main(int argc, char** argv) {
  ended = argc > 1 && strcmp(argv[1], "ended") == 0;
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  return 0;
}
