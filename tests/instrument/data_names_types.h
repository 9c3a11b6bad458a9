// Types shared by data_names_test.cc and data_names_heap.cc.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace data_names_test {

struct Account {
  long id;
  long balance;
  int flags[4];
};

std::unique_ptr<Account> MakeAccount();
std::vector<Account>* MakeAccounts(size_t n);
std::vector<int>* MakeInts(size_t n);
Account* NewAccount();

}  // namespace data_names_test
