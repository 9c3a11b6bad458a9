// The modules loaded in this test process, as a trace lists them: load base, extent of the
// mapped segments, path (the executable's from /proc/self/exe).
#pragma once

#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "threadlens/analyzer/event_source.h"

inline std::vector<threadlens::ModuleInfo> LoadedModules() {
  std::vector<threadlens::ModuleInfo> modules;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* out = static_cast<std::vector<threadlens::ModuleInfo>*>(data);
        uint64_t hi = 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && ph.p_vaddr + ph.p_memsz > hi) hi = ph.p_vaddr + ph.p_memsz;
        }
        std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.empty()) {
          if (!out->empty()) return 0;
          char exe[4096];
          ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
          if (n <= 0) return 0;
          name.assign(exe, static_cast<size_t>(n));
        }
        out->push_back({info->dlpi_addr, hi, name, ""});
        return 0;
      },
      &modules);
  return modules;
}
