// The twin of race_heap_field_through_cxx_pool_layers: the workers write the pool's block
// under a mutex. Nothing races.
// CHECK: no-race
#include <pthread.h>
#include <stdlib.h>

namespace net {

struct Conn {
  int fd;
  int state;
};

class Pool {
 public:
  __attribute__((noinline)) void* AlignedAlloc(size_t size, size_t align) {
    void* p = nullptr;
    return posix_memalign(&p, align, size) == 0 ? p : nullptr;
  }
  __attribute__((noinline)) void* Get(size_t size) { return AlignedAlloc(size, 64); }
};

__attribute__((noinline)) Conn* NewConn(Pool& pool, int fd) {
  // The pool's memory, typed here.
  Conn* c = static_cast<Conn*>(pool.Get(sizeof(Conn)));
  c->fd = fd;
  c->state = 0;
  return c;
}

}  // namespace net

static net::Conn* shared;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void* Worker(void* arg) {
  pthread_mutex_lock(&mu);
  shared->state = 1;
  pthread_mutex_unlock(&mu);
  return arg;
}

int main() {
  net::Pool pool;
  shared = net::NewConn(pool, 3);
  pthread_t a, b;
  pthread_create(&a, nullptr, Worker, nullptr);
  pthread_create(&b, nullptr, Worker, nullptr);
  pthread_join(a, nullptr);
  pthread_join(b, nullptr);
  free(shared);
  return 0;
}
