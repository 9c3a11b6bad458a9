// operator new and delete for the heap interposer (see alloc_interposer.cc): the half of the
// archive that needs the C++ runtime, pulled into C++ programs only.
#include <cstddef>
#include <new>

#include "alloc_interposer.h"

using threadlens::alloc::Track;
using threadlens::alloc::Untrack;

namespace {

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
