// Types shared by data_names_test.cc and data_names_heap.cc.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace data_names_test {

struct Account {
  long id;
  long balance;
  int flags[4];
};

// A project's own make_unique, as libraries written before C++14 carry.
namespace util {
template <typename T, typename... A>
std::enable_if_t<!std::is_array_v<T>, std::unique_ptr<T>> make_unique(A&&... a) {
  return std::unique_ptr<T>(new T(std::forward<A>(a)...));
}
template <typename T>
std::enable_if_t<std::is_array_v<T>, std::unique_ptr<T>> make_unique(size_t n) {
  return std::unique_ptr<T>(new std::remove_extent_t<T>[n]());
}
}  // namespace util

// A destructor: an array of them gets a count before its first element.
struct Tracked {
  long a = 0, b = 0;
  ~Tracked() { a = -1; }
};

std::unique_ptr<Account> MakeAccount();
std::unique_ptr<Account> MakeAccountOwn();  // through a make_unique of the project's own
std::unique_ptr<Tracked[]> MakeTrackedArray(size_t n);
std::vector<Account>* MakeAccounts(size_t n);
std::vector<int>* MakeInts(size_t n);
Account* NewAccount();

}  // namespace data_names_test
