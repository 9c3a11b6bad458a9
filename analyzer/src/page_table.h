// The shadow's page table: the 4 KiB pages of the traced program's address space, found in
// two indexed loads. A directory of 1 GiB regions covers user addresses below 2^47 (every
// x86-64 and AArch64 process with 4-level tables); each region a program touches gets a
// table of its 2^18 page slots. Both are fresh anonymous mappings, so only the parts in use
// take memory: one 4 KiB page of slots per 2 MiB of the program's memory touched.
//
// A hash map found a page in a few probes behind a small cache of recent pages; on a
// leveldb trace one access in three moves to another page than the one before, and one
// lookup in six missed the cache. Addresses above 2^47 (synthetic traces) still go there.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <vector>

#include "flat_map.h"

namespace threadlens::analysis {

template <typename P>
class PageTable {
 public:
  PageTable() = default;
  ~PageTable() {
    if (!dir_) return;
    for (uint64_t r : regions_) munmap(dir_[r], kRegionBytes);
    munmap(dir_, kDirBytes);
  }
  PageTable(const PageTable&) = delete;
  PageTable& operator=(const PageTable&) = delete;

  // The page, or null when it has none yet.
  P* Find(uint64_t page) const {
    if (page >> kPageBits) return FindHigh(page);
    if (!dir_) return nullptr;
    P** region = dir_[page >> kRegionBits];
    return region ? region[page & kRegionMask] : nullptr;
  }
  // Starts loading the page's slot (a step before Find).
  void Prefetch(uint64_t page) const {
    if (page >> kPageBits || !dir_) return;
    if (P** region = dir_[page >> kRegionBits]) __builtin_prefetch(&region[page & kRegionMask]);
  }
  // The page's slot, its region made when it has none (the slot is then null).
  P*& Slot(uint64_t page) {
    if (page >> kPageBits) {
      bool inserted;
      return high_.FindOrInsert(page, nullptr, inserted);
    }
    if (!dir_) dir_ = static_cast<P***>(MapZeroed(kDirBytes));
    P**& region = dir_[page >> kRegionBits];
    if (!region) {
      region = static_cast<P**>(MapZeroed(kRegionBytes));
      regions_.push_back(page >> kRegionBits);
    }
    return region[page & kRegionMask];
  }

 private:
  static constexpr uint64_t kPageBits = 47 - 12;  // page numbers below 2^47
  static constexpr uint64_t kRegionBits = 18;     // 2^18 pages: 1 GiB
  static constexpr uint64_t kRegionMask = (1ull << kRegionBits) - 1;
  static constexpr size_t kDirBytes = sizeof(void*) << (kPageBits - kRegionBits);  // 1 MiB
  static constexpr size_t kRegionBytes = sizeof(void*) << kRegionBits;             // 2 MiB

  static void* MapZeroed(size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  P* FindHigh(uint64_t page) const {
    P* const* p = const_cast<FlatMap<P*>&>(high_).Find(page);
    return p ? *p : nullptr;
  }

  P*** dir_ = nullptr;  // region number -> its slots, or null
  std::vector<uint64_t> regions_;
  FlatMap<P*> high_;
};

}  // namespace threadlens::analysis
