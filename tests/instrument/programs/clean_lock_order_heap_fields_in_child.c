// The twin of lock_order_heap_fields_in_child: the child's two workers take the queue's
// mutexes in one order, so no cycle exists; the child's end drops its copy of the parent's
// heap, and nothing else changes.
// CHECK: no-finding lock-order
// CHECK: exit 0
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct queue {
  int items;
  pthread_mutex_t mu;
  pthread_mutex_t log_mu;
};

static struct queue *q;

static void *push(void *arg) {
  pthread_mutex_lock(&q->mu);
  pthread_mutex_lock(&q->log_mu);
  q->items++;
  pthread_mutex_unlock(&q->log_mu);
  pthread_mutex_unlock(&q->mu);
  return arg;
}

static void *audit(void *arg) {
  pthread_mutex_lock(&q->mu);
  pthread_mutex_lock(&q->log_mu);
  q->items--;
  pthread_mutex_unlock(&q->log_mu);
  pthread_mutex_unlock(&q->mu);
  return arg;
}

int main(void) {
  void *before[64];  // blocks the parent keeps: copied into the child at the fork
  for (int i = 0; i < 64; ++i) before[i] = malloc(32);
  q = malloc(sizeof *q);
  q->items = 0;
  pthread_mutex_init(&q->mu, NULL);
  pthread_mutex_init(&q->log_mu, NULL);
  pid_t child = fork();
  if (child == 0) {
    pthread_t t;
    pthread_create(&t, NULL, push, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, audit, NULL);
    pthread_join(t, NULL);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  for (int i = 0; i < 64; ++i) free(before[i]);
  free(q);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
