// Names of heap memory: a heap block by where it was allocated, a byte of it by the field
// the allocation site, the accesses' code, or other reported accesses into the same object
// say it is (namer.h).
#include <algorithm>
#include <cctype>

#include "namer.h"
#include "threadlens/trace_format.h"

namespace threadlens::analysis {

std::string Namer::AccessedField(uint64_t addr, const std::vector<SideRef>* sides) {
  Symbolizer* sym = Sym();
  if (!sym || !sides) return "";
  for (const SideRef& s : *sides) {
    if (s.site == 0 || (s.site & trace::kSiteIsString) || addr < s.obj) continue;
    std::string field = sym->ResolveAccessedField(s.site, s.obj, addr);
    if (!field.empty()) return field;
  }
  return "";
}

namespace {

// A program's own allocation wrapper (xmalloc, zmalloc, sqlite3Malloc, a DbMallocRaw,
// my_aligned_alloc, Pool::AlignedAlloc...): its block is named by its caller.
bool IsAllocationWrapper(const Frame& f) {
  std::string name = f.function.substr(0, f.function.find('('));
  if (size_t colons = name.rfind("::"); colons != std::string::npos) name.erase(0, colons + 2);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word :
       {"malloc", "calloc", "realloc", "zalloc", "memalign", "aligned_alloc", "alignedalloc"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

AllocationFrame AllocationFrameOf(const Stack& s) {
  auto user = [](const Frame& f) { return !f.function.empty() && !IsSystemFrame(f); };
  size_t i = 0;
  while (i < s.size() && !user(s[i])) ++i;
  if (i == s.size() || !IsAllocationWrapper(s[i])) return {i, false};
  // The first frame past the wrappers; or, where that one and the frames above it hand the
  // wrapper's `void *` on (a pool's layers), the first above them that returns the block as
  // a typed pointer (haproxy: _ha_aligned_alloc, pool_alloc_area ... __pool_alloc, conn_new).
  size_t first = s.size();
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (!user(s[j]) || IsAllocationWrapper(s[j])) continue;
    if (first == s.size()) first = j;
    if (s[j].result == Frame::Result::kTypedPointer) return {j, true};
    if (s[j].result != Frame::Result::kVoidPointer) break;
  }
  if (first < s.size()) return {first, true};
  return {i, false};
}

size_t AllocationPathDepth(const Stack& s) {
  const size_t i = AllocationFrameOf(s).index;
  return i == s.size() ? s.size() : std::min(s.size(), i + 2);
}

namespace {

// HeapObjectTypes' key of one allocation.
std::string BlockKey(const HeapRef& h) {
  return std::to_string(h.base) + "/" + std::to_string(h.index);
}

}  // namespace

std::string Namer::HeapPathKey(const HeapRef& h) {
  const Stack stack = StackOf(h.site, h.stack);
  std::string key = std::to_string(h.size);
  const size_t depth = AllocationPathDepth(stack);
  if (depth == 0) return key + "/" + std::to_string(h.site) + "/" + std::to_string(h.stack);
  for (size_t i = 0; i < depth; ++i) key += "/" + std::to_string(stack[i].pc);
  return key;
}

void Namer::LearnHeapObjects(const std::vector<RawFinding>& raw) {
  if (!Sym()) return;
  for (const RawFinding& r : raw) {
    if (!r.heap.valid) continue;
    const std::string block = BlockKey(r.heap), path = HeapPathKey(r.heap);
    for (const SideRef& s : r.sides) {
      if (s.site == 0 || (s.site & trace::kSiteIsString) || s.obj < r.heap.base ||
          s.obj - r.heap.base >= r.heap.Extent()) {
        continue;
      }
      heap_types_.Learn(block, path, r.heap.base, r.heap.size, s.site, s.obj);
    }
  }
}


std::string Namer::HeapName(const HeapRef& h, uint64_t addr, const std::vector<SideRef>* sides) {
  const Stack stack = StackOf(h.site, h.stack);
  // Past the program's allocation wrappers: where, and as what, their caller allocated.
  const AllocationFrame at = AllocationFrameOf(stack);
  Frame f = at.index < stack.size() ? stack[at.index] : UserFrameOf(stack);
  const bool wrapped = at.past_wrapper;
  const uint64_t typed_at = wrapped ? f.pc : h.site;
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
  bool bytes = false;
  if (Symbolizer* sym = Sym(); sym && typed_at && !(typed_at & trace::kSiteIsString) &&
                               addr >= h.base && (!wrapped || typed_at != h.site)) {
    field = sym->ResolveHeapField(typed_at, h.size, addr - h.base, &bytes);
  }
  // Else, or where the site allocates bytes (`char *arena = malloc(n)`, which says nothing of
  // the objects the program carves from it), the type of the pointer an access went through
  // (a block carved up by the program's own allocator, a void* kept nowhere typed).
  if ((field.empty() || bytes) && addr >= h.base) {
    if (std::string accessed = AccessedField(addr, sides); !accessed.empty()) {
      field = accessed;
      bytes = false;
    }
  }
  // Bytes the program stores wider values in (a ring of ints in a `char *` buffer): "char[8]"
  // would name one byte of a 4-byte access. The block and the offset say it plainly. (A
  // wide access: an aligned 2, 4, 8 or 16 bytes; a byte range, a string's copy, keeps "char".)
  if (bytes && !field.empty() && sides) {
    for (const SideRef& s : *sides) {
      const bool wide = s.size > 1 && s.size <= 16 && (s.size & (s.size - 1)) == 0 &&
                        s.obj % s.size == 0;
      if (wide && addr >= s.obj && addr - s.obj < s.size) field.clear();
    }
  }
  // Else the type another race's access into the same object went through (x264's frame
  // contexts: some fields reached through a typed pointer, others through one the debug
  // info does not place), or into a whole block of the same size from the same call path.
  if (field.empty() && addr >= h.base)
    field = heap_types_.Name(BlockKey(h), HeapPathKey(h), h.base, addr);
  if (h.mapping) return MappingName(MappedFile(h), where, h.size, addr - h.base, field);
  return HeapBlockName(where, h.size, addr - h.base, field);
}

std::string Namer::MappedFile(const HeapRef& h) const {
  return h.file ? std::string(source_.String(h.file)) : std::string();
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

std::string MappingName(const std::string& file, const std::string& where, uint64_t size,
                        uint64_t offset, const std::string& field) {
  const std::string bytes = std::to_string(size) + " byte" + (size == 1 ? "" : "s");
  std::string name = file.empty() ? "anonymous memory of " + bytes : "file " + file;
  if (where.empty()) return file.empty() ? name : name + " (" + bytes + ")";
  if (!field.empty()) return field + " in " + name + " mapped at " + where;
  name += " mapped at " + where;
  if (offset != 0) name += " (+" + std::to_string(offset) + ")";
  return name;
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
