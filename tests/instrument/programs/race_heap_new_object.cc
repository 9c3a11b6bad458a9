// Objects from `new` and std::make_shared, C++ style: two workers count into the same ones
// without a lock. A `new` block's type comes from its constructor: inlined, its `this` is
// the register the new object landed in; called, it is the first function the code calls
// after the allocation. A make_shared block is a control block with the object inside.
// CHECK: race Account::balance in heap block allocated at main race_heap_new_object.cc:54
// CHECK: race Session::hits_ in heap block allocated at main race_heap_new_object.cc:55
// CHECK: race Ledger::entries in heap block allocated at main race_heap_new_object.cc:56
#include <cstdio>
#include <memory>
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

// Built by std::make_shared: the block is the shared pointer's control block, the object
// inside it.
struct Ledger {
  long entries = 0;
};

void Work(Account* a, Session* s, Ledger* l, int n) {
  for (int i = 0; i < n; ++i) {
    a->balance += 1;  // RACE
    s->Hit();
    l->entries += 1;  // RACE
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
  std::shared_ptr<Ledger> ledger = std::make_shared<Ledger>();
  // The threads get the object, not the shared pointer: its count would order them.
  std::thread x(Work, books.account, books.session, ledger.get(), 100);
  std::thread y(Work, books.account, books.session, ledger.get(), 100);
  x.join();
  y.join();
  std::printf("%ld %ld %ld\n", books.account->balance, books.session->hits(), ledger->entries);
  delete books.account;
  delete books.session;
}
