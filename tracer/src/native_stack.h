// Call stacks of programs that are not instrumented: the tracer unwinds the thread's stack at
// its synchronization events (locks, waits, joins, thread creation) and writes the frames as
// func_entry/func_exit records, only those that changed since the thread's last capture. An
// unmodified program's deadlock then names the user's function, not the inline
// std::mutex::lock it went through. Instrumented programs keep their exact shadow stack.
#pragma once

#include "runtime_internal.h"

namespace threadlens::rt {

// Brings the trace's frames of the calling thread (`ts`, its own state) up to its native
// stack at an event of `kind`. No-op when the program is instrumented or the capture is off
// (THREADLENS_NATIVE_STACKS=0).
// `site` is the event's call site (the return address into the interceptor's caller).
void SyncNativeStack(ThreadState* ts, trace::EventKind kind, uint64_t site);

// Pops the frames written by SyncNativeStack (the thread switches to its instrumented
// shadow stack).
void DropNativeStack(ThreadState* ts);

}  // namespace threadlens::rt
