// Names of heap memory: a heap block by where it was allocated, a byte of it by the field
// the allocation site, the accesses' code, or other reported accesses into the same object
// say it is (namer.h).
#include <algorithm>
#include <cctype>

#include "namer.h"
#include "threadlens/trace_format.h"

namespace threadlens::analysis {

std::string Namer::AccessedField(uint64_t addr, const std::vector<SideRef>* sides, bool anywhere) {
  Symbolizer* sym = Sym();
  if (!sym || !sides) return "";
  for (const SideRef& s : *sides) {
    if (s.site == 0 || (s.site & trace::kSiteIsString) || (addr < s.obj && !anywhere)) continue;
    std::string field = sym->ResolveAccessedField(s.site, s.obj, addr);
    if (!field.empty()) return field;
  }
  return "";
}

void Namer::LearnHeapObjects(const std::vector<RawFinding>& raw) {
  Symbolizer* sym = Sym();
  if (!sym) return;
  // Enough to name a block's few kinds of object; each costs a decode of the access's code.
  constexpr size_t kPerBlock = 16;
  for (const RawFinding& r : raw) {
    if (!r.heap.valid) continue;
    std::vector<SideRef>& known = heap_objects_[{r.heap.base, r.heap.index}];
    for (const SideRef& s : r.sides) {
      if (known.size() >= kPerBlock) break;
      if (s.site == 0 || (s.site & trace::kSiteIsString) || s.obj < r.heap.base ||
          s.obj - r.heap.base >= r.heap.Extent()) {
        continue;
      }
      const bool seen = std::any_of(known.begin(), known.end(), [&](const SideRef& k) {
        return k.site == s.site && k.obj == s.obj;
      });
      if (seen || sym->ResolveAccessedField(s.site, s.obj, s.obj).empty()) continue;
      known.push_back(s);
      // An object over the whole block: its first and last bytes are in it.
      const uint64_t last = r.heap.base + r.heap.size - 1;
      if (r.heap.size == 0 || sym->ResolveAccessedField(s.site, s.obj, r.heap.base).empty() ||
          sym->ResolveAccessedField(s.site, s.obj, last).empty()) {
        continue;
      }
      std::vector<SideRef>& typed = block_types_[{r.heap.site, r.heap.stack, r.heap.size}];
      if (typed.size() < kPerBlock) {
        typed.push_back(s);
        typed.back().obj = s.obj - r.heap.base;
      }
    }
  }
}

namespace {

// A program's own allocation wrapper (xmalloc, zmalloc, sqlite3Malloc, a DbMallocRaw...):
// its block is what its caller asked for.
bool IsAllocationWrapper(const Frame& f) {
  std::string name = f.function.substr(0, f.function.find('('));
  if (size_t colons = name.rfind("::"); colons != std::string::npos) name.erase(0, colons + 2);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"malloc", "calloc", "realloc", "zalloc", "memalign"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string Namer::HeapName(const HeapRef& h, uint64_t addr, const std::vector<SideRef>* sides) {
  const Stack stack = StackOf(h.site, h.stack);
  Frame f = UserFrameOf(stack);
  // Past the program's allocation wrappers: where, and as what, their caller allocated.
  uint64_t typed_at = h.site;
  bool wrapped = false;
  if (!IsSystemFrame(f) && IsAllocationWrapper(f)) {
    for (const Frame& c : stack) {
      if (c.function.empty() || IsSystemFrame(c) || IsAllocationWrapper(c)) continue;
      f = c;
      typed_at = c.pc;
      wrapped = true;
      break;
    }
  }
  if (f.file.empty()) {
    // The function from the stack, the line from the allocating call itself.
    for (const Frame& s : FramesOf(h.site)) {
      if (!s.file.empty()) {
        f.file = s.file;
        f.line = s.line;
        break;
      }
    }
  }
  std::string where = AllocationWhere(f);
  if (where.empty()) where = Hex(h.site ? h.site : h.base);
  // The field, where the allocation site says what type the block holds.
  std::string field;
  if (Symbolizer* sym = Sym(); sym && typed_at && !(typed_at & trace::kSiteIsString) &&
                               addr >= h.base && (!wrapped || typed_at != h.site)) {
    field = sym->ResolveHeapField(typed_at, h.size, addr - h.base);
  }
  // Else the type of the pointer an access went through (a block carved up by the program's
  // own allocator, a void* kept nowhere typed).
  if (field.empty() && addr >= h.base) field = AccessedField(addr, sides);
  // Else the type another race's access into the same block went through, when the byte
  // lies in that object (x264's frame contexts: some fields reached through a typed
  // pointer, others through one the debug info does not place).
  if (field.empty() && addr >= h.base) {
    if (auto it = heap_objects_.find({h.base, h.index}); it != heap_objects_.end()) {
      field = AccessedField(addr, &it->second, true);
    }
  }
  // Else the type of a whole block of the same size from the same call path (the frame
  // contexts one loop allocates), met by another race's access.
  if (field.empty() && addr >= h.base) {
    if (auto it = block_types_.find({h.site, h.stack, h.size}); it != block_types_.end()) {
      std::vector<SideRef> here = it->second;
      for (SideRef& s : here) s.obj += h.base;
      field = AccessedField(addr, &here, true);
    }
  }
  return HeapBlockName(where, h.size, addr - h.base, field);
}

std::string AllocationWhere(const Frame& f) {
  std::string where = f.function;
  if (!f.file.empty()) {
    size_t slash = f.file.rfind('/');
    std::string file = slash == std::string::npos ? f.file : f.file.substr(slash + 1);
    where += (where.empty() ? "" : " ") + file + (f.line ? ":" + std::to_string(f.line) : "");
  }
  return where;
}

std::string HeapBlockName(const std::string& where, uint64_t size, uint64_t offset,
                          const std::string& field) {
  if (!field.empty()) return field + " in heap block allocated at " + where;
  std::string name = "heap block of " + std::to_string(size) + " byte" + (size == 1 ? "" : "s");
  if (!where.empty()) name += " allocated at " + where;
  if (offset != 0) name += " (+" + std::to_string(offset) + ")";
  return name;
}

}  // namespace threadlens::analysis
