// HasTsanRuntime: the symbol tables and DT_NEEDED entries of one file (libelf).
#include "threadlens/analyzer/elf_probe.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>

namespace threadlens {

bool HasTsanRuntime(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  elf_version(EV_CURRENT);
  bool found = false;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    for (Elf_Scn* scn = nullptr; !found && (scn = elf_nextscn(elf, scn)) != nullptr;) {
      GElf_Shdr sh;
      if (!gelf_getshdr(scn, &sh) || sh.sh_entsize == 0) continue;
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (!data) continue;
      const size_t n = sh.sh_size / sh.sh_entsize;
      if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
        for (size_t i = 0; i < n && !found; ++i) {
          GElf_Sym sym;
          if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_shndx == SHN_UNDEF) continue;
          const char* name = elf_strptr(elf, sh.sh_link, sym.st_name);
          found = name && std::strcmp(name, "__tsan_init") == 0;
        }
      } else if (sh.sh_type == SHT_DYNAMIC) {
        for (size_t i = 0; i < n && !found; ++i) {
          GElf_Dyn dyn;
          if (!gelf_getdyn(data, static_cast<int>(i), &dyn) || dyn.d_tag != DT_NEEDED) continue;
          const char* name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
          found = name && std::strncmp(name, "libtsan.so", 10) == 0;
        }
      }
    }
    elf_end(elf);
  }
  close(fd);
  return found;
}

}  // namespace threadlens
