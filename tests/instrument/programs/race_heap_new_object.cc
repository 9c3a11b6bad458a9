// Objects from `new`, C++ style: two workers count into the same ones without a lock. Each
// block's type comes from its constructor: inlined, its `this` is the register the new
// object landed in; called, it is the first function the code calls after the allocation.
// CHECK: race Account::balance in heap block allocated at main race_heap_new_object.cc:44
// CHECK: race Session::hits_ in heap block allocated at main race_heap_new_object.cc:45
#include <cstdio>
#include <thread>

struct Account {
  long id;
  long balance;
  explicit Account(long i) : id(i), balance(0) {}
};

class Session {
 public:
  __attribute__((noinline)) explicit Session(int fd);
  void Hit() { hits_ += 1; }  // RACE
  long hits() const { return hits_; }

 private:
  int fd_;
  long hits_ = 0;
};

Session::Session(int fd) : fd_(fd) {
  if (fd_ < 0) std::fprintf(stderr, "bad descriptor\n");
}

void Work(Account* a, Session* s, int n) {
  for (int i = 0; i < n; ++i) {
    a->balance += 1;  // RACE
    s->Hit();
  }
}

// No local variable holds the new objects: their constructors alone tell their types.
struct Books {
  Account* account;
  Session* session;
} books;

int main() {
  books.account = new Account(7);
  books.session = new Session(3);
  std::thread x(Work, books.account, books.session, 100);
  std::thread y(Work, books.account, books.session, 100);
  x.join();
  y.join();
  std::printf("%ld %ld\n", books.account->balance, books.session->hits());
  delete books.account;
  delete books.session;
}
