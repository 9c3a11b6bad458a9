// Locks behind a wrapper class, as many code bases have (a port::Mutex, a possess()
// helper): every pthread_mutex_lock comes from Mutex::Lock. Two pairs of heap locks are
// taken in opposite orders by two threads, one after the other: two lock-order cycles,
// whose locks must be told apart by where the program takes them. `hang`: a worker waits on
// a heap condition variable nobody signals.
#include <pthread.h>

#include <cstdio>
#include <cstring>

class Mutex {
 public:
  Mutex() { pthread_mutex_init(&m_, nullptr); }
  void Lock() { pthread_mutex_lock(&m_); }
  void Unlock() { pthread_mutex_unlock(&m_); }

 private:
  pthread_mutex_t m_;
};

Mutex* a;
Mutex* b;
Mutex* c;
Mutex* d;

void Nested(Mutex* outer, Mutex* inner) {
  outer->Lock();
  inner->Lock();
  inner->Unlock();
  outer->Unlock();
}

void* Forward(void*) {
  Nested(a, b);
  Nested(c, d);
  return nullptr;
}

void* Backward(void*) {
  Nested(b, a);
  Nested(d, c);
  return nullptr;
}

struct Queue {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
  bool has_item = false;
};

void* Consumer(void* arg) {
  auto* q = static_cast<Queue*>(arg);
  pthread_mutex_lock(&q->m);
  while (!q->has_item) pthread_cond_wait(&q->ready, &q->m);
  pthread_mutex_unlock(&q->m);
  return nullptr;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "hang") == 0) {
    auto* q = new Queue;
    pthread_t t;
    pthread_create(&t, nullptr, Consumer, q);
    pthread_join(t, nullptr);  // never returns: nobody signals
    return 0;
  }
  a = new Mutex;
  b = new Mutex;
  c = new Mutex;
  d = new Mutex;
  pthread_t t;
  pthread_create(&t, nullptr, Forward, nullptr);
  pthread_join(t, nullptr);
  pthread_create(&t, nullptr, Backward, nullptr);
  pthread_join(t, nullptr);
  std::puts("done");
  return 0;
}
