// libthreadlens_annotations: no-op definitions of the annotation API (threadlens.h), so a
// program that calls it links and runs without the tracer. It is a shared library on purpose:
// when `threadlens run` preloads the runtime, the runtime's definitions come first in symbol
// lookup and replace these (a static stub would be bound at link time and win).
#include "threadlens/threadlens.h"

extern "C" {
void threadlens_name_thread(const char*) {}
void threadlens_name_lock(const void*, const char*) {}
void threadlens_name_variable(const void*, size_t, const char*) {}
void threadlens_read(const void*, size_t) {}
void threadlens_write(const void*, size_t) {}
void threadlens_happens_before(const void*) {}
void threadlens_happens_after(const void*) {}
int threadlens_enabled(void) { return 0; }
}
