// What the runtime writes into the trace file, and how: the file itself (trace_output.cc),
// compressed event blocks (trace_compress.cc) and the module map (runtime_modules.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "threadlens/trace_format.h"

namespace threadlens::rt {

// --- trace_output.cc ----------------------------------------------------------------------

// Opens THREADLENS_TRACE (a descendant: BASE.PID) on high fds and writes the header; says
// why on the terminal and returns false when it cannot.
bool OpenTraceFile(bool descendant, uint64_t recording);
// Closes the trace's fds (fork child, before it opens its own).
void CloseTraceFiles();
// Appends one block; false when it was not written. After the size cap, a full disk or the
// file size limit stopped the trace, nothing more is written (TraceStopped), except with
// `drain` each thread's last event block: its records up to the cut (TraceCut).
bool WriteBlock(trace::BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                size_t size, bool drain = false);
// Writes the header first (`initial`), or rewrites it in place.
void WriteHeader(bool initial, uint64_t ticks_per_second);
trace::FileHeader& Header();
bool TraceStopped();
// The sequence number at which the size cap, the file size limit or a full disk stopped the
// trace, with room kept for every thread's unwritten records up to it; 0 when not so stopped.
uint64_t TraceCut();
// Bytes in the trace file so far (read without the write lock: a moment's value).
uint64_t TraceBytes();
// One message to the terminal: the program's stderr as it was when tracing began.
void TerminalMessage(const char* msg, size_t n);

// --- trace_compress.cc --------------------------------------------------------------------

// THREADLENS_COMPRESS: loads libzstd and maps the compressors.
void InitCompression();
bool CompressionOn();
// Appends one packed-events block of `count` records, compressed when compression is on;
// false when it was not written (`drain` as WriteBlock's).
bool WriteEventBlock(uint32_t tid, uint32_t count, const void* payload, size_t size, bool drain);

// --- runtime_modules.cc -------------------------------------------------------------------

// Writes the module map. `changed_only`: not when it is the map last written (a loop of
// dlopen and dlclose writes it once).
void WriteModules(bool changed_only = false);
// The map's lock, which another thread may have held at fork.
void ModulesForkChild();
// Writes the module map now, while the trace is open (a library about to be unloaded is
// still in it); the reader keeps every library any map names (runtime.cc).
void RecordModules();

}  // namespace threadlens::rt
