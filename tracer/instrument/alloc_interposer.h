// Shared by the heap interposer's two halves (alloc_interposer.cc: the C allocator;
// alloc_interposer_new.cc: operator new/delete): the runtime's heap hooks.
#pragma once

#include <cstddef>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
// In libthreadlens_preload; they record only while tracing is on.
void __threadlens_on_alloc(void* p, size_t size, void* pc);
void __threadlens_on_free(void* p, void* pc);
void __threadlens_on_free_sized(void* p, size_t usable, void* pc);
}

#define THREADLENS_CALLER __builtin_return_address(0)

namespace threadlens::alloc {

inline void* Track(void* p, size_t size, void* pc) {
  __threadlens_on_alloc(p, size, pc);
  return p;
}

inline void Untrack(void* p, void* pc) {
  if (p) __threadlens_on_free(p, pc);
}

// A block whose usable size the caller took (realloc's old block, about to be handed back).
inline void UntrackSized(void* p, size_t usable, void* pc) {
  if (p) __threadlens_on_free_sized(p, usable, pc);
}

}  // namespace threadlens::alloc
