// race_heap_field_through_pool_layers in C++: the pool's layers are member functions in a
// namespace, the wrapper is named in CamelCase. The race is named by the constructor's
// allocation and the struct's field.
// CHECK: race Conn::state in heap block allocated at net::NewConn(net::Pool&, int) race_heap_field_through_cxx_pool_layers.cc:26
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

static void* Worker(void* arg) {
  shared->state = 1;  // RACE
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
