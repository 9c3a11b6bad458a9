// Allocations made the way optimized user code makes them (-O1: std::make_unique and
// std::allocator<T>::allocate are inlined into these functions), for data_names_test.
#include <memory>
#include <vector>

#include "data_names_types.h"

namespace data_names_test {

std::unique_ptr<Account> MakeAccount() { return std::make_unique<Account>(); }

std::vector<Account>* MakeAccounts(size_t n) { return new std::vector<Account>(n); }

std::vector<int>* MakeInts(size_t n) { return new std::vector<int>(n); }

Account* NewAccount() { return new Account{}; }

std::unique_ptr<Account> MakeAccountOwn() { return util::make_unique<Account>(); }

std::unique_ptr<Tracked[]> MakeTrackedArray(size_t n) { return util::make_unique<Tracked[]>(n); }

}  // namespace data_names_test
