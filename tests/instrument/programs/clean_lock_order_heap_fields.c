// The twin of lock_order_heap_fields: both workers take the queue's mutex before its log's,
// so the order is one and no cycle exists.
// CHECK: no-finding lock-order
#include <pthread.h>
#include <stdlib.h>

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
  q = malloc(sizeof *q);
  q->items = 0;
  pthread_mutex_init(&q->mu, NULL);
  pthread_mutex_init(&q->log_mu, NULL);
  pthread_t t;
  pthread_create(&t, NULL, push, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, audit, NULL);
  pthread_join(t, NULL);
  pthread_mutex_destroy(&q->log_mu);
  pthread_mutex_destroy(&q->mu);
  free(q);
  return 0;
}
