// Data addresses named through DWARF by the Symbolizer, on this test binary's own globals
// and heap blocks: members, nested members, array elements, plain scalars, the places the
// DWARF leaves ambiguous (unions, shared bitfield bytes, padding), types at allocation
// sites, and the symbol+offset fallback for a module without DWARF.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include "data_names_types.h"
#include "loaded_modules.h"
#include "threadlens/analyzer/symbolizer.h"

struct NoDwarfStats;
NoDwarfStats* NoDwarfStatsAddress();  // data_names_nodwarf.cc, built -g0

struct Stats {
  long requests;
  long errors;
};
struct Inner {
  int flag;
  int count;
};
struct Outer {
  char tag;
  Inner inner;
  long tail;
};
struct Slot {
  int id;
  int count;
};
struct WithSlots {
  int n;
  Slot slots[4];
};
union Word {
  int i;
  float f;
};
// A slot padded to a cache line by a byte array beside it (LMDB's reader table).
union PaddedSlot {
  struct {
    long pid;
    long txnid;
  } body;
  char pad[64];
};
union TwoViews {
  char text[8];
  unsigned char bytes[8];
};
struct Bits {
  unsigned low : 4;
  unsigned high : 4;
  unsigned whole;
};
struct Padded {
  char c;
  long l;
};
struct Base {
  long base_field;
};
struct Derived : Base {
  long own_field;
};

struct Guarded {
  long value;
  std::mutex mu;
};

Stats names_stats;
Outer names_nested;
Slot names_table[8];
long names_scalar;
long names_matrix[3][4];
WithSlots names_with_slots;
Word names_word;
PaddedSlot names_padded_slots[2];
TwoViews names_two_views;
Bits names_bits;
Padded names_padded;
Derived names_derived;
std::mutex names_mutex;
std::atomic<long> names_atomic;
std::atomic<Stats> names_atomic_stats;
std::array<Slot, 3> names_std_slots;
std::array<int, 8> names_std_ints;
sigset_t names_sigset;
Guarded names_guarded;
namespace names_ns {
Stats in_namespace;
}

namespace {

// Return address of the last operator new call made while `record_new` is set: the
// allocation site a trace records for the block.
std::atomic<bool> record_new{false};
std::atomic<uintptr_t> last_new_site{0};

}  // namespace

void* operator new(size_t n) {
  if (record_new.load(std::memory_order_relaxed)) {
    last_new_site = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  }
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

uint64_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

class DataNames : public ::testing::Test {
 protected:
  std::unique_ptr<threadlens::Symbolizer> sym_ = threadlens::MakeSymbolizer(LoadedModules());
  std::string Name(const void* p, size_t plus = 0) { return sym_->ResolveData(Addr(p) + plus); }
};

TEST_F(DataNames, StructField) {
  EXPECT_EQ(Name(&names_stats.errors), "names_stats.errors");
  EXPECT_EQ(Name(&names_stats.requests), "names_stats.requests");
  // A byte inside a member is named by the member and its offset.
  EXPECT_EQ(Name(&names_stats.errors, 2), "names_stats.errors+2");
}

TEST_F(DataNames, NestedField) {
  EXPECT_EQ(Name(&names_nested.inner.count), "names_nested.inner.count");
  EXPECT_EQ(Name(&names_nested.tag), "names_nested.tag");
  EXPECT_EQ(Name(&names_nested.tail), "names_nested.tail");
}

TEST_F(DataNames, ArrayElementField) {
  EXPECT_EQ(Name(&names_table[3].count), "names_table[3].count");
  EXPECT_EQ(Name(&names_table[0].id), "names_table[0].id");
  EXPECT_EQ(Name(&names_matrix[1][2]), "names_matrix[1][2]");
  EXPECT_EQ(Name(&names_with_slots.slots[2].count), "names_with_slots.slots[2].count");
}

TEST_F(DataNames, ScalarStaysPlain) { EXPECT_EQ(Name(&names_scalar), "names_scalar"); }

// Locks and atomics are named as declared, not by the library's members inside them.
TEST_F(DataNames, LibraryInsidesAreNotNamed) {
  EXPECT_EQ(Name(&names_mutex), "names_mutex");
  EXPECT_EQ(Name(&names_atomic), "names_atomic");
  EXPECT_EQ(Name(&names_guarded.mu), "names_guarded.mu");
  EXPECT_EQ(Name(&names_guarded.mu, 4), "names_guarded.mu+4");
}

// A type of the user's inside a library class is named through it; the C library's
// anonymous wrappers are not.
TEST_F(DataNames, UserTypesInsideLibraryClassesAreNamed) {
  EXPECT_EQ(Name(&names_atomic_stats, 8), "names_atomic_stats.errors");
  EXPECT_EQ(Name(&names_std_slots[2].count), "names_std_slots[2].count");
  EXPECT_EQ(Name(&names_std_ints[5]), "names_std_ints[5]");
  EXPECT_EQ(Name(&names_sigset, 8), "names_sigset+8");
}

TEST_F(DataNames, NamespaceQualifies) {
  EXPECT_EQ(Name(&names_ns::in_namespace.errors), "names_ns::in_namespace.errors");
}

TEST_F(DataNames, BaseClassFieldsReadAsTheObjects) {
  EXPECT_EQ(Name(&names_derived.base_field), "names_derived.base_field");
  EXPECT_EQ(Name(&names_derived.own_field), "names_derived.own_field");
}

// Where the DWARF does not say which member a byte belongs to, no member is named.
TEST_F(DataNames, AmbiguousBytesNameNoMember) {
  EXPECT_EQ(Name(&names_word), "names_word");
  EXPECT_EQ(Name(&names_word, 2), "names_word+2");
  EXPECT_EQ(Name(&names_bits), "names_bits");  // low and high share byte 0
  EXPECT_EQ(Name(&names_bits.whole), "names_bits.whole");
  EXPECT_EQ(Name(&names_padded, 3), "names_padded+3");  // padding before l
  EXPECT_EQ(Name(&names_padded.l), "names_padded.l");
  EXPECT_EQ(Name(&names_two_views, 3), "names_two_views+3");  // two byte arrays
}

// A union's byte array is a raw view: the member beside it that holds the byte names it, and
// past that member the array does.
TEST_F(DataNames, AUnionsPaddingArrayGivesWayToTheMemberItPads) {
  EXPECT_EQ(Name(&names_padded_slots[1].body.txnid), "names_padded_slots[1].body.txnid");
  EXPECT_EQ(Name(&names_padded_slots[0].body.pid), "names_padded_slots[0].body.pid");
  EXPECT_EQ(Name(&names_padded_slots[1], 40), "names_padded_slots[1].pad[40]");
}

TEST_F(DataNames, DwarfNamesWithoutLlvmSymbolizer) {
  setenv("THREADLENS_SYMBOLIZER", "/nonexistent/llvm-symbolizer", 1);
  auto sym = threadlens::MakeSymbolizer(LoadedModules());
  unsetenv("THREADLENS_SYMBOLIZER");
  EXPECT_EQ(sym->ResolveData(Addr(&names_table[5].count)), "names_table[5].count");
  EXPECT_EQ(sym->ResolveData(Addr(&names_ns::in_namespace.requests)),
            "names_ns::in_namespace.requests");
}

TEST_F(DataNames, ModuleWithoutDwarfFallsBackToSymbolPlusOffset) {
  const char* base = reinterpret_cast<const char*>(NoDwarfStatsAddress());
  EXPECT_EQ(Name(base), "nodwarf_stats");
  EXPECT_EQ(Name(base, 8), "nodwarf_stats+8");
}

TEST_F(DataNames, StackAndUnknownAddressesStayUnnamed) {
  int local = 0;
  EXPECT_EQ(Name(&local), "");
  EXPECT_EQ(sym_->ResolveData(0x10), "");
}

// The allocation site of the last operator new made by `allocate`.
template <typename F>
uintptr_t SiteOf(F allocate) {
  record_new = true;
  allocate();
  record_new = false;
  return last_new_site.exchange(0);
}

TEST_F(DataNames, HeapObjectFromMakeUnique) {
  std::unique_ptr<data_names_test::Account> a;
  uintptr_t site = SiteOf([&] { a = data_names_test::MakeAccount(); });  // -O1, inlined
  ASSERT_NE(site, 0u);
  const size_t size = sizeof(data_names_test::Account);
  EXPECT_EQ(sym_->ResolveHeapField(site, size, offsetof(data_names_test::Account, balance)),
            "Account::balance");
  EXPECT_EQ(sym_->ResolveHeapField(site, size, offsetof(data_names_test::Account, flags) + 8),
            "Account::flags[2]");
  // A block whose size is not the type's is not taken for one.
  EXPECT_EQ(sym_->ResolveHeapField(site, size + 8, 8), "");
}

TEST_F(DataNames, HeapObjectFromOutOfLineMakeUnique) {
  std::unique_ptr<Stats> s;
  uintptr_t site = SiteOf([&] { s = std::make_unique<Stats>(); });  // -O0: not inlined
  ASSERT_NE(site, 0u);
  EXPECT_EQ(sym_->ResolveHeapField(site, sizeof(Stats), 8), "Stats::errors");
}

// A make_unique of the project's own (not std::) says the type as well; its array form, whose
// block starts with the element count, is not taken for one object.
TEST_F(DataNames, HeapObjectFromTheProjectsOwnMakeUnique) {
  std::unique_ptr<data_names_test::Account> a;
  uintptr_t site = SiteOf([&] { a = data_names_test::MakeAccountOwn(); });
  ASSERT_NE(site, 0u);
  const size_t size = sizeof(data_names_test::Account);
  EXPECT_EQ(sym_->ResolveHeapField(site, size, offsetof(data_names_test::Account, balance)),
            "Account::balance");
  std::unique_ptr<Stats> s;
  site = SiteOf([&] { s = data_names_test::util::make_unique<Stats>(); });  // -O0
  ASSERT_NE(site, 0u);
  EXPECT_EQ(sym_->ResolveHeapField(site, sizeof(Stats), 8), "Stats::errors");

  std::unique_ptr<data_names_test::Tracked[]> t;
  site = SiteOf([&] { t = data_names_test::MakeTrackedArray(1); });
  ASSERT_NE(site, 0u);
  const std::string name = sym_->ResolveHeapField(site, sizeof(data_names_test::Tracked), 8);
  EXPECT_EQ(name.find("Tracked::"), std::string::npos) << name;
}

TEST_F(DataNames, HeapArrayFromVector) {
  std::vector<data_names_test::Account>* accounts = nullptr;
  uintptr_t site = SiteOf([&] { accounts = data_names_test::MakeAccounts(5); });
  ASSERT_NE(site, 0u);
  const size_t size = 5 * sizeof(data_names_test::Account);
  EXPECT_EQ(sym_->ResolveHeapField(site, size, 3 * sizeof(data_names_test::Account) + 8),
            "Account[3].balance");
  delete accounts;

  std::vector<int>* ints = nullptr;
  site = SiteOf([&] { ints = data_names_test::MakeInts(100); });
  ASSERT_NE(site, 0u);
  EXPECT_EQ(sym_->ResolveHeapField(site, 400, 200), "int[50]");
  delete ints;
}

// A plain `new Account` carries no type at its call in clang's DWARF: nothing is guessed.
TEST_F(DataNames, PlainNewIsNotNamed) {
  data_names_test::Account* a = nullptr;
  uintptr_t site = SiteOf([&] { a = data_names_test::NewAccount(); });
  ASSERT_NE(site, 0u);
  EXPECT_EQ(sym_->ResolveHeapField(site, sizeof(*a), 8), "");
  delete a;
  EXPECT_EQ(sym_->ResolveHeapField(0, 16, 8), "");
}

}  // namespace
