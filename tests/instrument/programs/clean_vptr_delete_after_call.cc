// race_vptr_destructor_vs_virtual_call's twin: the deleting thread waits for the caller's
// signal before the delete, so the virtual call happens before the destructors set the vptr.
// CHECK: no-race
#include <pthread.h>
#include <semaphore.h>

#include <cstdio>

struct A {
  virtual void F() {}
  virtual ~A() {}
};
struct B : A {
  void F() override {}
  ~B() override {}
};

A* shape;
sem_t called;

void* Caller(void*) {
  shape->F();
  sem_post(&called);
  return nullptr;
}

void* Deleter(void*) {
  sem_wait(&called);
  delete shape;
  return nullptr;
}

int main() {
  sem_init(&called, 0, 0);
  shape = new B;
  pthread_t t[2];
  pthread_create(&t[0], nullptr, Caller, nullptr);
  pthread_create(&t[1], nullptr, Deleter, nullptr);
  pthread_join(t[0], nullptr);
  pthread_join(t[1], nullptr);
  sem_destroy(&called);
  std::puts("deleted");
}
