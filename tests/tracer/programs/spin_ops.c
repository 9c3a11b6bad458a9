/* Spin locks: init, lock, unlock, a failed trylock from a second thread, destroy. */
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t s;

static void* try_it(void* arg) {
  (void)arg;
  return (void*)(long)pthread_spin_trylock(&s);
}

int main(void) {
  printf("SPIN %p\n", (void*)&s);
  pthread_spin_init(&s, PTHREAD_PROCESS_PRIVATE);
  pthread_spin_lock(&s);
  pthread_t t;
  void* r;
  pthread_create(&t, NULL, try_it, NULL);
  pthread_join(t, &r);
  pthread_spin_unlock(&s);
  pthread_spin_destroy(&s);
  return r != 0 ? 0 : 1;
}
