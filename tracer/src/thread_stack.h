// Records where the calling thread's stack lies (a kThreadStack event), so that the analyzer
// can say whose stack a raced address is on.
#pragma once

#include "runtime_internal.h"

namespace threadlens::rt {

// Emits kThreadStack for the calling thread, whose state is `ts`. Once per thread: at the
// start of a thread the runtime starts, and for the main thread when it first creates one.
// Not on a hot path: the stack lookup may allocate and read /proc (main thread).
void RecordOwnStack(ThreadState* ts);

// The main thread's stack, recorded by the first pthread_create it makes.
void RecordMainStackOnce(ThreadState* ts);
// In a fork child: the forking thread is the child's main thread, its stack not yet recorded
// in the child's trace.
void MainStackForked();

}  // namespace threadlens::rt
