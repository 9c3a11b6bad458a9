// OpenMP programs built with clang run on LLVM's libomp, whose barriers, tasks and locks
// are its own code, not pthread calls: without help every parallel loop would race with the
// code after it. libomp tells ThreadSanitizer-style runtimes what orders its threads through
// its Archer tool (libarcher.so beside libomp.so), which calls the annotation API
// (AnnotateHappensBefore/After...) that this runtime implements. TSan's runtime gets Archer
// loaded because it intercepts libomp's dlopen; here the tool is named in OMP_TOOL_LIBRARIES
// instead, before libomp starts, unless the program set the variable itself. Archer also
// asks for TSAN_OPTIONS=ignore_noninstrumented_modules=1 (else it prints a warning), under
// which TSan checks no libc call libomp makes: libomp orders its own bookkeeping (its team
// and task structures, copied with memcpy) with atomics no tool sees. The libc calls made
// from libomp's code are not recorded here either (AccessRange), or they race falsely.
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "tsan_thread.h"

namespace threadlens::rt {
namespace {

struct Found {
  char dir[4096];
  bool found = false;
  uintptr_t text = 0, text_size = 0;  // its executable segment
};

int FindLibomp(dl_phdr_info* info, size_t, void* arg) {
  auto* f = static_cast<Found*>(arg);
  const char* path = info->dlpi_name;
  if (!path || !*path) return 0;
  const char* slash = strrchr(path, '/');
  const char* base = slash ? slash + 1 : path;
  if (strncmp(base, "libomp.so", 9) != 0 || !slash) return 0;
  const size_t len = static_cast<size_t>(slash - path);
  if (len + 1 > sizeof f->dir) return 0;
  memcpy(f->dir, path, len);
  f->dir[len] = 0;
  f->found = true;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
      f->text = info->dlpi_addr + ph.p_vaddr;
      f->text_size = ph.p_memsz;
    }
  }
  return 1;
}

}  // namespace

void PrepareOpenMP() {
  Found f;
  dl_iterate_phdr(FindLibomp, &f);
  if (!f.found) return;
  tsan::SkipLibcCallsFrom(f.text, f.text_size);
  if (getenv("OMP_TOOL_LIBRARIES")) return;  // the program's own choice
  char tool[4096 + 32];
  snprintf(tool, sizeof tool, "%s/libarcher.so", f.dir);
  if (access(tool, R_OK) != 0) return;
  setenv("OMP_TOOL_LIBRARIES", tool, 1);
  const char* options = getenv("TSAN_OPTIONS");
  if (!options || !*options) {
    setenv("TSAN_OPTIONS", "ignore_noninstrumented_modules=1", 1);
  } else if (!strstr(options, "ignore_noninstrumented_modules")) {
    char both[4096];
    snprintf(both, sizeof both, "%s ignore_noninstrumented_modules=1", options);
    setenv("TSAN_OPTIONS", both, 1);
  }
}

}  // namespace threadlens::rt
