// Heap interposer linked into programs built with threadlens-cc / threadlens-c++ /
// threadlens_instrument(): malloc, free and friends forward to glibc's allocator and tell the
// runtime about each block, so the analyzer can name a heap block by where it was allocated.
// operator new/delete are in alloc_interposer_new.cc, a separate member of the archive, so a
// C program links this one without the C++ runtime.
//
// Rules: forward through glibc's __libc_* entry points (never dlsym, which allocates and
// would recurse during start-up); never allocate here; report the caller's pc. Only
// instrumented programs carry this file: an unmodified program under `threadlens run`
// keeps its own allocator untouched.
#include "alloc_interposer.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include <malloc.h>
#include <unistd.h>

using threadlens::alloc::Track;
using threadlens::alloc::Untrack;
using threadlens::alloc::UntrackSized;

namespace {

void* Memalign(size_t align, size_t size, void* pc) {
  return Track(__libc_memalign(align, size), size, pc);
}

}  // namespace

extern "C" {

void* malloc(size_t size) { return Track(__libc_malloc(size), size, THREADLENS_CALLER); }

void free(void* p) {
  Untrack(p, THREADLENS_CALLER);
  __libc_free(p);
}

void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  return p ? Track(p, n * size, THREADLENS_CALLER) : nullptr;
}

// The old block's free is recorded before the real realloc, as free() records it: once the
// call returns, another thread may already hold its memory (a large block is moved by mremap
// and its old pages unmapped, which the next mmap of any thread may return), and that
// thread's allocation must come after this free in the trace. A failed realloc leaves the
// old block where it was: it is recorded again, as allocated here with its usable size.
void* realloc(void* old, size_t size) {
  const size_t usable = old ? malloc_usable_size(old) : 0;
  UntrackSized(old, usable, THREADLENS_CALLER);
  void* p = __libc_realloc(old, size);
  if (!p && old && size != 0) Track(old, usable, THREADLENS_CALLER);
  return p ? Track(p, size, THREADLENS_CALLER) : nullptr;
}

void* memalign(size_t align, size_t size) { return Memalign(align, size, THREADLENS_CALLER); }

void* aligned_alloc(size_t align, size_t size) { return Memalign(align, size, THREADLENS_CALLER); }

// Page-aligned: valloc's size as asked, pvalloc's rounded up to whole pages (one at least).
void* valloc(size_t size) {
  return Memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), size, THREADLENS_CALLER);
}

void* pvalloc(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
  if (rounded < size) {  // wrapped
    errno = ENOMEM;
    return nullptr;
  }
  return Memalign(page, rounded, THREADLENS_CALLER);
}

int posix_memalign(void** out, size_t align, size_t size) {
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = Memalign(align, size, THREADLENS_CALLER);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"
