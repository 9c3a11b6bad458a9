// The module map (dl_iterate_phdr): base, extent, path and build id of every loaded object,
// written at start, in a fork child, before a dlclose and at close.
#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "runtime_internal.h"

namespace threadlens::rt {
namespace {

using trace::BlockKind;

constexpr int kMaxModules = 512;
struct ModuleScan {
  trace::ModuleEntry entries[kMaxModules];
  int n;
};

// The module's GNU build id, in hex, interned (0: it has none). The analyzer names nothing
// from a file on disk whose build id differs: the program was rebuilt since the trace.
uint32_t BuildId(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    while (end - p >= static_cast<ptrdiff_t>(sizeof(ElfW(Nhdr)))) {
      ElfW(Nhdr) n;
      memcpy(&n, p, sizeof n);
      const unsigned char* name = p + sizeof n;
      const unsigned char* desc = name + ((n.n_namesz + 3) & ~3u);
      if (desc > end || end - desc < static_cast<ptrdiff_t>(n.n_descsz)) break;
      if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
          n.n_descsz > 0 && n.n_descsz <= 64) {
        char hex[129];
        static const char kDigits[] = "0123456789abcdef";
        for (uint32_t k = 0; k < n.n_descsz; ++k) {
          hex[2 * k] = kDigits[desc[k] >> 4];
          hex[2 * k + 1] = kDigits[desc[k] & 15];
        }
        return InternString(hex, 2 * n.n_descsz);
      }
      p = desc + ((n.n_descsz + 3) & ~3u);
    }
  }
  return 0;
}

int ModuleCallback(dl_phdr_info* info, size_t, void* data) {
  auto* scan = static_cast<ModuleScan*>(data);
  if (scan->n >= kMaxModules) return 1;
  uint64_t lo = ~0ull, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_vaddr < lo) lo = ph.p_vaddr;
    if (ph.p_vaddr + ph.p_memsz > hi) hi = ph.p_vaddr + ph.p_memsz;
  }
  if (hi == 0) return 0;
  const char* name = info->dlpi_name;
  char exe[512];
  if (!name || !*name) {
    if (scan->n != 0) return 0;  // the vdso has no name either; only the first is the program
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = 0;
    name = exe;
  }
  trace::ModuleEntry& e = scan->entries[scan->n++];
  e.base = info->dlpi_addr;
  e.size = hi;  // extent from base: segments start at their p_vaddr above base
  e.path_id = InternString(name, strlen(name));
  e.build_id = BuildId(info);
  return 0;
}

SpinLock g_modules_lock;  // init, close and fork child are serialized; dlclose is not

}  // namespace

void ModulesForkChild() { g_modules_lock.Reset(); }

void WriteModules(bool changed_only) {
  static ModuleScan scan;  // large
  static uint64_t last = 0;
  g_modules_lock.Lock();
  scan.n = 0;
  dl_iterate_phdr(ModuleCallback, &scan);
  uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < scan.n; ++i) {
    const trace::ModuleEntry& e = scan.entries[i];
    for (uint64_t v : {e.base, e.size, uint64_t{e.path_id}}) h = (h ^ v) * 0x100000001b3ull;
  }
  if (!changed_only || h != last) {
    WriteBlock(BlockKind::kModules, 0, scan.n, scan.entries, scan.n * sizeof(trace::ModuleEntry));
  }
  last = h;
  g_modules_lock.Unlock();
}

}  // namespace threadlens::rt
