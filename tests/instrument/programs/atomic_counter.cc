// Contended atomic counters of every width and operation: under the threadlens runtime the
// operations must stay atomic, so the totals come out exact. Exits 1 on a lost update.
// CHECK: no-race
// CHECK: exit 0
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

constexpr int kThreads = 4;
constexpr int kIterations = 20000;

std::atomic<uint64_t> adds{0};
std::atomic<uint32_t> cas_count{0};
std::atomic<uint16_t> small{0};
std::atomic<uint8_t> tiny{0};
std::atomic<uint64_t> bits{0};
std::atomic<int64_t> exchanged{0};
long guarded = 0;
std::atomic<bool> spin{false};

void Work(int id) {
  for (int i = 0; i < kIterations; ++i) {
    adds.fetch_add(1, std::memory_order_relaxed);
    adds.fetch_add(2, std::memory_order_acq_rel);
    adds.fetch_sub(1, std::memory_order_seq_cst);
    uint32_t seen = cas_count.load(std::memory_order_relaxed);
    while (!cas_count.compare_exchange_weak(seen, seen + 1, std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
    }
    small.fetch_add(1, std::memory_order_relaxed);
    tiny.fetch_add(1, std::memory_order_relaxed);
    exchanged.exchange(i, std::memory_order_acq_rel);
    // A spinlock built on exchange/store must still exclude.
    while (spin.exchange(true, std::memory_order_acquire)) {
    }
    ++guarded;
    spin.store(false, std::memory_order_release);
  }
  bits.fetch_or(uint64_t{1} << id, std::memory_order_release);
}

int main() {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(Work, t);
  for (auto& t : threads) t.join();
  const uint64_t n = uint64_t{kThreads} * kIterations;
  bool ok = adds.load() == 2 * n && cas_count.load() == n &&
            small.load() == static_cast<uint16_t>(n) && tiny.load() == static_cast<uint8_t>(n) &&
            bits.load() == (1u << kThreads) - 1 && guarded == static_cast<long>(n);
  std::printf("adds=%llu cas=%u small=%u tiny=%u bits=%llx guarded=%ld %s\n",
              static_cast<unsigned long long>(adds.load()), cas_count.load(), small.load(),
              tiny.load(), static_cast<unsigned long long>(bits.load()), guarded,
              ok ? "exact" : "LOST UPDATES");
  return ok ? 0 : 1;
}
