// Heap interposer linked into programs built with threadlens-c++ / threadlens_instrument():
// malloc, free and operator new/delete forward to glibc's allocator and tell the runtime
// about each block, so the analyzer can name a heap block by where it was allocated.
//
// Rules: forward through glibc's __libc_* entry points (never dlsym, which allocates and
// would recurse during start-up); never allocate here; report the caller's pc. Only
// instrumented programs carry this file: an unmodified program under `threadlens run`
// keeps its own allocator untouched.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
// In libthreadlens_preload; they record only while tracing is on.
void __threadlens_on_alloc(void* p, size_t size, void* pc);
void __threadlens_on_free(void* p, void* pc);
}

#define THREADLENS_CALLER __builtin_return_address(0)

namespace {

inline void* Track(void* p, size_t size, void* pc) {
  __threadlens_on_alloc(p, size, pc);
  return p;
}

inline void Untrack(void* p, void* pc) {
  if (p) __threadlens_on_free(p, pc);
}

void* Memalign(size_t align, size_t size, void* pc) {
  return Track(__libc_memalign(align, size), size, pc);
}

// operator new's contract: retry through the new-handler, else throw.
void* NewImpl(size_t size, size_t align, void* pc) {
  if (size == 0) size = 1;
  for (;;) {
    void* p = align ? __libc_memalign(align, size) : __libc_malloc(size);
    if (p) return Track(p, size, pc);
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

void* NewNothrow(size_t size, size_t align, void* pc) noexcept {
  try {
    return NewImpl(size, align, pc);
  } catch (...) {
    return nullptr;
  }
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

void* realloc(void* old, size_t size) {
  void* p = __libc_realloc(old, size);
  if (p || size == 0) Untrack(old, THREADLENS_CALLER);
  return p ? Track(p, size, THREADLENS_CALLER) : nullptr;
}

void* memalign(size_t align, size_t size) { return Memalign(align, size, THREADLENS_CALLER); }

void* aligned_alloc(size_t align, size_t size) { return Memalign(align, size, THREADLENS_CALLER); }

int posix_memalign(void** out, size_t align, size_t size) {
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = Memalign(align, size, THREADLENS_CALLER);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"

void* operator new(size_t n) { return NewImpl(n, 0, THREADLENS_CALLER); }
void* operator new[](size_t n) { return NewImpl(n, 0, THREADLENS_CALLER); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return NewNothrow(n, 0, THREADLENS_CALLER);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return NewNothrow(n, 0, THREADLENS_CALLER);
}
void* operator new(size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a), THREADLENS_CALLER);
}
void* operator new[](size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a), THREADLENS_CALLER);
}
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return NewNothrow(n, static_cast<size_t>(a), THREADLENS_CALLER);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return NewNothrow(n, static_cast<size_t>(a), THREADLENS_CALLER);
}

#define THREADLENS_DELETE_BODY   \
  Untrack(p, THREADLENS_CALLER); \
  __libc_free(p);

void operator delete(void* p) noexcept { THREADLENS_DELETE_BODY }
void operator delete[](void* p) noexcept { THREADLENS_DELETE_BODY }
void operator delete(void* p, size_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete[](void* p, size_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete(void* p, const std::nothrow_t&) noexcept { THREADLENS_DELETE_BODY }
void operator delete[](void* p, const std::nothrow_t&) noexcept { THREADLENS_DELETE_BODY }
void operator delete(void* p, std::align_val_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete[](void* p, std::align_val_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete(void* p, size_t, std::align_val_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { THREADLENS_DELETE_BODY }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  THREADLENS_DELETE_BODY
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  THREADLENS_DELETE_BODY
}
