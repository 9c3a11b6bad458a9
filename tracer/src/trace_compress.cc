// Compressed event blocks: a memory-heavy program writes hundreds of MB of events a second,
// which zstd at level 1 makes about ten times smaller. THREADLENS_COMPRESS=1 (`threadlens
// run --compress`) compresses every block; =auto (`threadlens run`'s default) only once the
// trace holds THREADLENS_COMPRESS_AFTER bytes (256 MiB): a small trace costs no more to
// write or read, a large one holds about ten times the events under the size cap. libzstd
// is loaded with dlopen at start, only when asked (RTLD_DEEPBIND: its memcpy is libc's, not
// the runtime's interceptor). A few compressors,
// each a static context in mapped memory (no allocation), are taken with a try-lock: a flush
// that finds none free, or runs in a signal handler that interrupted one, writes its block
// uncompressed, which the format allows anywhere.
#define ZSTD_STATIC_LINKING_ONLY
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zstd.h>

#include "runtime_internal.h"
#include "tsan_thread.h"

namespace threadlens::rt {
namespace {

struct Zstd {
  decltype(&ZSTD_getCParams) get_cparams;
  decltype(&ZSTD_estimateCCtxSize_usingCParams) estimate;
  decltype(&ZSTD_initStaticCCtx) init_static;
  decltype(&ZSTD_compressCCtx) compress;
  decltype(&ZSTD_compressBound) bound;
  decltype(&ZSTD_isError) is_error;
};
Zstd g_zstd;

constexpr int kCompressors = 4;
constexpr int kLevel = 1;
struct Compressor {
  std::atomic<bool> busy{false};
  ZSTD_CCtx* cctx = nullptr;
  unsigned char* out = nullptr;
  size_t capacity = 0;
};
Compressor g_compressors[kCompressors];
bool g_compress = false;
uint64_t g_compress_after = 0;  // blocks are compressed once the trace holds this many bytes
constexpr uint64_t kAutoAfter = 256ull << 20;

void* Map(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

template <typename F>
bool Load(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

}  // namespace

void InitCompression() {
  const char* v = getenv("THREADLENS_COMPRESS");
  if (!v || !*v || strcmp(v, "0") == 0) return;
  const bool automatic = strcmp(v, "auto") == 0;
  if (automatic) {
    const char* after = getenv("THREADLENS_COMPRESS_AFTER");
    g_compress_after = after && *after ? strtoull(after, nullptr, 10) : kAutoAfter;
  }
  void* lib = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  Zstd& z = g_zstd;
  if (!lib || !Load(lib, z.get_cparams, "ZSTD_getCParams") ||
      !Load(lib, z.estimate, "ZSTD_estimateCCtxSize_usingCParams") ||
      !Load(lib, z.init_static, "ZSTD_initStaticCCtx") ||
      !Load(lib, z.compress, "ZSTD_compressCCtx") || !Load(lib, z.bound, "ZSTD_compressBound") ||
      !Load(lib, z.is_error, "ZSTD_isError")) {
    if (automatic) return;  // not asked for: plain blocks, without a word
    static const char kMsg[] =
        "threadlens: THREADLENS_COMPRESS: libzstd.so.1 not found; the trace is not compressed\n";
    TerminalMessage(kMsg, sizeof kMsg - 1);
    return;
  }
  const size_t work = z.estimate(z.get_cparams(kLevel, kBufBytes, 0));
  const size_t capacity = z.bound(kBufBytes);
  for (Compressor& c : g_compressors) {
    void* w = Map(work);
    c.out = static_cast<unsigned char*>(Map(capacity));
    c.cctx = w ? z.init_static(w, work) : nullptr;
    if (!c.cctx || !c.out) return;  // out of memory: the blocks stay uncompressed
    c.capacity = capacity;
  }
  g_compress = true;
}

bool CompressionOn() { return g_compress; }

bool WriteEventBlock(uint32_t tid, uint32_t count, const void* payload, size_t size, bool drain) {
  if (g_compress && size > 0 && size <= kBufBytes && TraceBytes() >= g_compress_after) {
    for (Compressor& c : g_compressors) {
      if (c.busy.exchange(true, std::memory_order_acquire)) continue;
      // A libzstd the program loaded itself calls the runtime's interceptors: this thread
      // records nothing meanwhile.
      tsan::ThreadCtx& t = tsan::tls_ctx;
      const tsan::Mode mode = t.mode;
      t.mode = tsan::Mode::kOff;
      const size_t n = g_zstd.compress(c.cctx, c.out, c.capacity, payload, size, kLevel);
      t.mode = mode;
      const bool ok = !g_zstd.is_error(n) && n < size;
      const bool written =
          ok && WriteBlock(trace::BlockKind::kCompressedEvents, tid, count, c.out, n, drain);
      c.busy.store(false, std::memory_order_release);
      if (ok) return written;
      break;
    }
  }
  return WriteBlock(trace::BlockKind::kPackedEvents, tid, count, payload, size, drain);
}

}  // namespace threadlens::rt
