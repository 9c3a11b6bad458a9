// Loading Capstone (see capstone_api.h).
#include "capstone_api.h"

#include <dlfcn.h>

#include <cstdlib>

#include <string>

namespace threadlens::code_flow::x86 {

namespace {

template <typename F>
bool Bind(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}

std::string problem;

CapstoneApi* Load() {
  // Only the major version the headers are of: the instruction details' layout changes
  // between majors.
  const char* env = std::getenv("THREADLENS_CAPSTONE");
  const std::string soname =
      env && *env ? env : "libcapstone.so." + std::to_string(CS_API_MAJOR);
  void* lib = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    problem = soname + " could not be loaded";
    return nullptr;
  }
  static CapstoneApi api;
  decltype(&cs_version) version = nullptr;
  int major = 0, minor = 0;
  if (!Bind(lib, "cs_version", version) || (version(&major, &minor), major != CS_API_MAJOR) ||
      !Bind(lib, "cs_open", api.open) || !Bind(lib, "cs_option", api.option) ||
      !Bind(lib, "cs_close", api.close) || !Bind(lib, "cs_disasm", api.disasm) ||
      !Bind(lib, "cs_disasm_iter", api.disasm_iter) || !Bind(lib, "cs_malloc", api.malloc) ||
      !Bind(lib, "cs_free", api.free) || !Bind(lib, "cs_regs_access", api.regs_access) ||
      !Bind(lib, "cs_insn_group", api.insn_group)) {
    dlclose(lib);
    problem = soname + " is not Capstone " + std::to_string(CS_API_MAJOR);
    return nullptr;
  }
  return &api;  // kept loaded for the process's life
}

}  // namespace

const CapstoneApi* Capstone() {
  static const CapstoneApi* api = Load();
  return api;
}

std::string CapstoneProblem() { return problem; }

}  // namespace threadlens::code_flow::x86
