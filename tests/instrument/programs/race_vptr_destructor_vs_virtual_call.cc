// One thread makes a virtual call on an object while another deletes it: the destructors
// set the object's vtable pointer back to each base class's as they run, so the call may
// reach A::F, or an object half destroyed. The virtual call reads the vptr, ~A writes it.
// CHECK: race *
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <cstdio>

struct A {
  A() { sem_init(&done_, 0, 0); }
  virtual void F() {}
  void Done() { sem_post(&done_); }
  virtual ~A() {  // RACE
    sem_wait(&done_);
    sem_destroy(&done_);
  }
  sem_t done_;
};
struct B : A {
  void F() override {}
  ~B() override {}
};

A* shape;

void* Caller(void*) {
  shape->F();  // RACE
  shape->Done();
  return nullptr;
}

void* Deleter(void*) {
  usleep(100 * 1000);
  delete shape;
  return nullptr;
}

int main() {
  shape = new B;
  pthread_t t[2];
  pthread_create(&t[0], nullptr, Caller, nullptr);
  pthread_create(&t[1], nullptr, Deleter, nullptr);
  pthread_join(t[0], nullptr);
  pthread_join(t[1], nullptr);
  std::puts("deleted");
}
