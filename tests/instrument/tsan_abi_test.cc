// The ThreadSanitizer-ABI entry points called directly, the way instrumented code calls
// them: every atomic width and operation returns what the C++ memory model says and stays
// atomic under contention; plain accesses, annotations and function entry/exit are callable
// whether or not the process is traced.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

extern "C" {
using a8 = unsigned char;
using a16 = unsigned short;
using a32 = unsigned int;
using a64 = unsigned long long;
using a128 = unsigned __int128;
#define DECLARE_ATOMICS(bits)                                                                      \
  a##bits __tsan_atomic##bits##_load(const volatile a##bits*, int);                                \
  void __tsan_atomic##bits##_store(volatile a##bits*, a##bits, int);                               \
  a##bits __tsan_atomic##bits##_exchange(volatile a##bits*, a##bits, int);                         \
  a##bits __tsan_atomic##bits##_fetch_add(volatile a##bits*, a##bits, int);                        \
  a##bits __tsan_atomic##bits##_fetch_sub(volatile a##bits*, a##bits, int);                        \
  a##bits __tsan_atomic##bits##_fetch_and(volatile a##bits*, a##bits, int);                        \
  a##bits __tsan_atomic##bits##_fetch_or(volatile a##bits*, a##bits, int);                         \
  a##bits __tsan_atomic##bits##_fetch_xor(volatile a##bits*, a##bits, int);                        \
  a##bits __tsan_atomic##bits##_fetch_nand(volatile a##bits*, a##bits, int);                       \
  int __tsan_atomic##bits##_compare_exchange_strong(volatile a##bits*, a##bits*, a##bits, int,     \
                                                    int);                                          \
  int __tsan_atomic##bits##_compare_exchange_weak(volatile a##bits*, a##bits*, a##bits, int, int); \
  a##bits __tsan_atomic##bits##_compare_exchange_val(volatile a##bits*, a##bits, a##bits, int, int);
DECLARE_ATOMICS(8)
DECLARE_ATOMICS(16)
DECLARE_ATOMICS(32)
DECLARE_ATOMICS(64)
DECLARE_ATOMICS(128)
#undef DECLARE_ATOMICS
void __tsan_atomic_thread_fence(int);
void __tsan_atomic_signal_fence(int);
void __tsan_init();
void __tsan_read4(void*);
void __tsan_write8(void*);
void __tsan_unaligned_read2(const void*);
void __tsan_read_range(void*, unsigned long);
void __tsan_write_range(void*, unsigned long);
void __tsan_vptr_update(void**, void*);
void __tsan_vptr_read(void**);
void __tsan_func_entry(void*);
void __tsan_func_exit();
void __tsan_acquire(void*);
void __tsan_release(void*);
void AnnotateHappensBefore(const char*, int, const volatile void*);
void AnnotateHappensAfter(const char*, int, const volatile void*);
void AnnotateBenignRaceSized(const char*, int, const volatile void*, unsigned long, const char*);
void AnnotateRWLockCreate(const char*, int, const volatile void*);
void AnnotateRWLockAcquired(const char*, int, const volatile void*, long);
void AnnotateRWLockReleased(const char*, int, const volatile void*, long);
void AnnotateIgnoreReadsBegin(const char*, int);
void AnnotateIgnoreReadsEnd(const char*, int);
int RunningOnValgrind();
}

namespace {

constexpr int kRelaxed = 0, kAcquire = 2, kRelease = 3, kAcqRel = 4, kSeqCst = 5;

template <typename T>
struct Ops;
#define OPS(bits)                                                                                  \
  template <>                                                                                      \
  struct Ops<a##bits> {                                                                            \
    static a##bits Load(volatile a##bits* a, int mo) { return __tsan_atomic##bits##_load(a, mo); } \
    static void Store(volatile a##bits* a, a##bits v, int mo) {                                    \
      __tsan_atomic##bits##_store(a, v, mo);                                                       \
    }                                                                                              \
    static a##bits Exchange(volatile a##bits* a, a##bits v, int mo) {                              \
      return __tsan_atomic##bits##_exchange(a, v, mo);                                             \
    }                                                                                              \
    static a##bits Add(volatile a##bits* a, a##bits v, int mo) {                                   \
      return __tsan_atomic##bits##_fetch_add(a, v, mo);                                            \
    }                                                                                              \
    static a##bits Sub(volatile a##bits* a, a##bits v, int mo) {                                   \
      return __tsan_atomic##bits##_fetch_sub(a, v, mo);                                            \
    }                                                                                              \
    static a##bits And(volatile a##bits* a, a##bits v, int mo) {                                   \
      return __tsan_atomic##bits##_fetch_and(a, v, mo);                                            \
    }                                                                                              \
    static a##bits Or(volatile a##bits* a, a##bits v, int mo) {                                    \
      return __tsan_atomic##bits##_fetch_or(a, v, mo);                                             \
    }                                                                                              \
    static a##bits Xor(volatile a##bits* a, a##bits v, int mo) {                                   \
      return __tsan_atomic##bits##_fetch_xor(a, v, mo);                                            \
    }                                                                                              \
    static a##bits Nand(volatile a##bits* a, a##bits v, int mo) {                                  \
      return __tsan_atomic##bits##_fetch_nand(a, v, mo);                                           \
    }                                                                                              \
    static bool CasStrong(volatile a##bits* a, a##bits* c, a##bits v, int mo, int fmo) {           \
      return __tsan_atomic##bits##_compare_exchange_strong(a, c, v, mo, fmo);                      \
    }                                                                                              \
    static bool CasWeak(volatile a##bits* a, a##bits* c, a##bits v, int mo, int fmo) {             \
      return __tsan_atomic##bits##_compare_exchange_weak(a, c, v, mo, fmo);                        \
    }                                                                                              \
    static a##bits CasVal(volatile a##bits* a, a##bits c, a##bits v, int mo, int fmo) {            \
      return __tsan_atomic##bits##_compare_exchange_val(a, c, v, mo, fmo);                         \
    }                                                                                              \
  };
OPS(8)
OPS(16)
OPS(32)
OPS(64)
OPS(128)
#undef OPS

template <typename T>
class TsanAtomic : public ::testing::Test {};
using Widths = ::testing::Types<a8, a16, a32, a64, a128>;
TYPED_TEST_SUITE(TsanAtomic, Widths);

TYPED_TEST(TsanAtomic, OperationsReturnOldValueAndStoreNew) {
  using T = TypeParam;
  using O = Ops<T>;
  alignas(16) volatile T x = 0;
  O::Store(&x, T(12), kRelease);
  EXPECT_EQ(O::Load(&x, kAcquire), T(12));
  EXPECT_EQ(O::Exchange(&x, T(5), kAcqRel), T(12));
  EXPECT_EQ(O::Add(&x, T(3), kSeqCst), T(5));
  EXPECT_EQ(O::Sub(&x, T(1), kRelaxed), T(8));
  EXPECT_EQ(O::And(&x, T(6), kRelaxed), T(7));
  EXPECT_EQ(O::Or(&x, T(9), kRelaxed), T(6));
  EXPECT_EQ(O::Xor(&x, T(3), kRelaxed), T(15));
  EXPECT_EQ(O::Nand(&x, T(6), kRelaxed), T(12));
  EXPECT_EQ(O::Load(&x, kSeqCst), T(~T(12 & 6)));
  O::Store(&x, T(1), kSeqCst);
  T expected = T(2);
  EXPECT_FALSE(O::CasStrong(&x, &expected, T(3), kAcqRel, kAcquire));
  EXPECT_EQ(expected, T(1));  // a failed compare-exchange reports the current value
  EXPECT_TRUE(O::CasStrong(&x, &expected, T(3), kAcqRel, kAcquire));
  EXPECT_EQ(O::CasVal(&x, T(3), T(4), kSeqCst, kRelaxed), T(3));
  EXPECT_EQ(O::CasVal(&x, T(3), T(9), kSeqCst, kRelaxed), T(4));
  expected = T(4);
  while (!O::CasWeak(&x, &expected, T(10), kRelease, kRelaxed)) {
  }
  EXPECT_EQ(O::Load(&x, kRelaxed), T(10));
}

TYPED_TEST(TsanAtomic, ContendedCounterEndsExact) {
  using T = TypeParam;
  using O = Ops<T>;
  alignas(16) static volatile T counter;
  alignas(16) static volatile T cas_counter;
  O::Store(&counter, T(0), kSeqCst);
  O::Store(&cas_counter, T(0), kSeqCst);
  constexpr int kThreads = 4, kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < kIterations; ++i) {
        O::Add(&counter, T(1), i % 2 ? kRelaxed : kAcqRel);
        T seen = O::Load(&cas_counter, kRelaxed);
        while (!O::CasWeak(&cas_counter, &seen, T(seen + 1), kAcqRel, kRelaxed)) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(O::Load(&counter, kSeqCst), T(kThreads * kIterations));
  EXPECT_EQ(O::Load(&cas_counter, kSeqCst), T(kThreads * kIterations));
}

TEST(TsanAbi, MemoryOrderFlagBitsAreIgnored) {
  volatile a32 x = 0;
  __tsan_atomic32_store(&x, 7, kRelease | (1 << 15));
  EXPECT_EQ(__tsan_atomic32_load(&x, kAcquire | (1 << 16)), 7u);
}

TEST(TsanAbi, PlainEntryPointsAreCallable) {
  __tsan_init();
  int word = 0;
  long wide = 0;
  char buf[64] = {};
  void* vptr = nullptr;
  __tsan_func_entry(__builtin_return_address(0));
  __tsan_read4(&word);
  __tsan_write8(&wide);
  __tsan_unaligned_read2(buf + 1);
  __tsan_read_range(buf, sizeof buf);
  __tsan_write_range(buf, sizeof buf);
  __tsan_vptr_update(&vptr, &word);
  __tsan_vptr_read(&vptr);
  __tsan_release(&word);
  __tsan_acquire(&word);
  AnnotateHappensBefore(__FILE__, __LINE__, &word);
  AnnotateHappensAfter(__FILE__, __LINE__, &word);
  AnnotateBenignRaceSized(__FILE__, __LINE__, &wide, sizeof wide, "test");
  AnnotateRWLockCreate(__FILE__, __LINE__, &buf);
  AnnotateRWLockAcquired(__FILE__, __LINE__, &buf, 1);
  AnnotateRWLockReleased(__FILE__, __LINE__, &buf, 1);
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  __tsan_atomic_thread_fence(kSeqCst);
  __tsan_atomic_signal_fence(kSeqCst);
  __tsan_func_exit();
  // Unbalanced exits (a thread entered before its state existed) are tolerated.
  __tsan_func_exit();
  EXPECT_EQ(RunningOnValgrind(), 0);
}

}  // namespace
