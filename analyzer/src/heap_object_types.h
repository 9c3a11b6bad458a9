// Objects of heap blocks, typed by the code of reported accesses into them: a byte that its
// own race's allocation and accesses do not type is named by another reported access into
// the same object, and an object that covers its whole block names the other blocks of the
// same size from the same allocating frame and caller (AllocationPathDepth; x264's frame
// contexts: one `x264_t` each, from one loop). The analysis of a trace and the import of
// TSan's reports both name heap fields so, and a race gets one fingerprint from either.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace threadlens {

class HeapObjectTypes {
 public:
  // What the code of the access made at `at` by the check that returns to `site` says byte
  // `addr` is ("item::hits"), or "" (Symbolizer::ResolveAccessedField).
  using Resolve = std::function<std::string(uint64_t site, uint64_t at, uint64_t addr)>;
  explicit HeapObjectTypes(Resolve resolve) : resolve_(std::move(resolve)) {}

  // A reported access at `at` (inside the block) by the check returning to `site`. `block`
  // keys the block (one allocation), `path` its allocation's frames and size; the block
  // spans [base, base+size).
  void Learn(const std::string& block, const std::string& path, uint64_t base, uint64_t size,
             uint64_t site, uint64_t at);
  // Byte `addr` of the block through what was learned, or "".
  std::string Name(const std::string& block, const std::string& path, uint64_t base,
                   uint64_t addr) const;

 private:
  struct Seen {
    uint64_t site;
    uint64_t at;  // the access's address (per block) or its offset in the block (per path)
  };
  // Enough to name a block's few kinds of object; each costs a decode of the access's code.
  static constexpr size_t kPerKey = 16;
  Resolve resolve_;
  std::map<std::string, std::vector<Seen>> blocks_, paths_;
};

}  // namespace threadlens
