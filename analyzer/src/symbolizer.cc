// Symbolizer: code addresses are read in-process from each module's DWARF and symbol table
// with elfutils libdwfl (code_names.h), answers cached. A code address's answer is the
// whole chain of functions inlined there, so a lock call inside an inlined std::mutex::lock
// still names the user's function that made it. Module-relative offsets (pc - load base)
// make PIE executables and shared libraries work. THREADLENS_SYMBOLIZER=PATH asks an
// llvm-symbolizer instead (one child process fed CODE and DATA queries in its batch
// protocol); when that one is missing or dies, frames carry module and pc only. Data
// addresses are named from the DWARF (libdw) when the module has it, down to the member;
// else from the symbol table.
//
// Sites in a trace are return addresses (the instruction after a call), so code addresses
// are looked up at pc - 1, which lies in the call instruction and on the caller's line.
#include "threadlens/analyzer/symbolizer.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "code_names.h"
#include "dwarf_names.h"

extern char** environ;

namespace threadlens {
namespace {

constexpr int kReplyTimeoutMs = 20000;

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// The C library's frames are named by its symbol table: its DWARF (libc6-dbg) takes 50 to
// 80 ms to decompress on every analysis, to give lines in its own build tree
// ("../sysdeps/...") that no user has and the reports fold away.
bool IsCLibrary(const std::string& path) {
  const std::string base = path.substr(path.find_last_of('/') + 1);
  for (const char* p : {"libc.so", "libc-", "libpthread", "ld-linux"}) {
    if (base.rfind(p, 0) == 0) return true;
  }
  return false;
}

// An llvm-symbolizer asked for by THREADLENS_SYMBOLIZER: its path ("" when it is not an
// executable), or nullopt when none is asked for (the built-in reader answers).
std::optional<std::string> ExternalSymbolizer() {
  const char* v = std::getenv("THREADLENS_SYMBOLIZER");
  if (!v || !*v) return std::nullopt;
  return IsExecutable(v) ? v : "";
}

// One llvm-symbolizer child in batch mode. Each query is one line; each answer ends with an
// empty line.
class SymbolizerProcess {
 public:
  ~SymbolizerProcess() { Stop(); }

  bool Start(const std::string& binary) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {binary, "--inlining", "--demangle", "--functions=linkage",
                                     "--output-style=LLVM"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      pid_ = -1;
      return false;
    }
    fd_ = fds[0];
    return true;
  }

  bool alive() const { return fd_ >= 0; }

  // Takes over another process (started early, while the trace was being read).
  void Adopt(SymbolizerProcess& o) {
    Stop();
    std::swap(pid_, o.pid_);
    std::swap(fd_, o.fd_);
    pending_.swap(o.pending_);
  }

  // Sends one query and returns the answer's lines (without the closing empty line), or
  // nullopt when the child is gone or silent; then it is stopped for good.
  std::optional<std::vector<std::string>> Query(const std::string& line) {
    if (fd_ < 0) return std::nullopt;
    std::string msg = line + "\n";
    size_t sent = 0;
    while (sent < msg.size()) {
      // MSG_NOSIGNAL: a dead child must not kill the analyzer with SIGPIPE.
      ssize_t n = send(fd_, msg.data() + sent, msg.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        Stop();
        return std::nullopt;
      }
      sent += static_cast<size_t>(n);
    }
    std::vector<std::string> lines;
    for (;;) {
      size_t nl = pending_.find('\n');
      if (nl != std::string::npos) {
        std::string l = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (l.empty()) {
          if (lines.empty()) continue;  // tolerate a stray blank before an answer
          return lines;
        }
        lines.push_back(std::move(l));
        continue;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, kReplyTimeoutMs) <= 0) {
        Stop();
        return std::nullopt;
      }
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) {
        Stop();
        return std::nullopt;
      }
      pending_.append(buf, static_cast<size_t>(n));
    }
  }

  void Stop() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
};

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "file:line:col" -> file, line. The file may itself contain ':'.
void ParseLocation(const std::string& s, Frame& f) {
  size_t c2 = s.rfind(':');
  if (c2 == std::string::npos) return;
  size_t c1 = s.rfind(':', c2 - 1);
  if (c1 == std::string::npos || c2 == 0) return;
  std::string file = s.substr(0, c1);
  int line = std::atoi(s.c_str() + c1 + 1);
  if (file == "??" || file.empty()) return;
  f.file = file;
  f.line = line;
}

// Debug info often names headers the way the compiler driver found them:
// "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/std_mutex.h".
// The lexically normal form ("/usr/include/c++/12/bits/std_mutex.h") is used when it is
// the same file; a ".." after a symlink can lead elsewhere, and then the path stays as is.
std::string ReadablePath(const std::string& path) {
  if (path.find("/.") == std::string::npos) return path;
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  std::error_code ec;
  if (normal != path && std::filesystem::equivalent(path, normal, ec) && !ec) return normal;
  return path;
}

// The GNU build id of an ELF file, in hex ("" when it has none or cannot be read).
std::string FileBuildId(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  elf_version(EV_CURRENT);
  std::string hex;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    const void* bits = nullptr;
    const ssize_t n = dwelf_elf_gnu_build_id(elf, &bits);
    static const char kDigits[] = "0123456789abcdef";
    for (ssize_t i = 0; i < n; ++i) {
      const unsigned char b = static_cast<const unsigned char*>(bits)[i];
      hex += kDigits[b >> 4];
      hex += kDigits[b & 15];
    }
    elf_end(elf);
  }
  close(fd);
  return hex;
}

// llvm-symbolizer takes tens of milliseconds to load; started while the analysis runs, it
// is ready when the first name is needed.
struct Prestarted {
  std::string binary;
  SymbolizerProcess process;
};
Prestarted& EarlyProcess() {
  static Prestarted p;
  return p;
}

class ModuleSymbolizer : public Symbolizer {
 public:
  ModuleSymbolizer(std::vector<ModuleInfo> modules, std::optional<std::string> external)
      : modules_(std::move(modules)), external_(external.has_value()) {
    // A file rebuilt since the trace would name other functions and variables at the
    // trace's addresses: it names nothing, and the report says so.
    for (const ModuleInfo& m : modules_) {
      const bool stale = !m.build_id.empty() && FileBuildId(m.path) != m.build_id;
      stale_.push_back(stale);
      // The tracer's runtime changes with threadlens itself; its frames are folded by module.
      const bool runtime = m.path.find("/libthreadlens") != std::string::npos;
      if (stale && !runtime && access(m.path.c_str(), F_OK) == 0) {
        warnings_.push_back(m.path + " changed since the trace was recorded (its build id differs): "
                            "its functions and variables are not named; record the trace again");
      }
    }
    if (!external || external->empty()) return;
    const std::string& binary = *external;
    Prestarted& early = EarlyProcess();
    if (early.process.alive() && early.binary == binary) {
      process_.Adopt(early.process);
    } else {
      process_.Start(binary);
    }
  }

  Frame ResolveCode(uint64_t pc) override { return ResolveCodeInlined(pc).front(); }
  std::vector<std::string> Warnings() const override { return warnings_; }

  // The answer to a CODE query is the whole inlining chain, innermost first, as pairs of
  // lines (function, then file:line:column); each frame gets the pc and module.
  Stack ResolveCodeInlined(uint64_t pc) override {
    auto it = code_.find(pc);
    if (it != code_.end()) return it->second;
    Frame base;
    base.pc = pc;
    Stack frames;
    const ModuleInfo* m = ModuleOf(pc);
    if (m) {
      base.module = m->path;
      if (pc > 0 && !external_) {
        CodeNames* code = CodeOf(*m);
        for (CodeFrame& c : code ? code->Code(pc - 1 - m->base) : std::vector<CodeFrame>{}) {
          Frame f = base;
          f.function = std::move(c.function);
          f.result = c.result;
          if (!c.file.empty()) {
            f.file = ReadablePath(c.file);
            f.line = c.line;
          }
          frames.push_back(std::move(f));
        }
      } else if (pc > 0 && process_.alive() && !Stale(*m)) {
        auto reply = process_.Query("CODE " + Quoted(m->path) + " " + Hex(pc - 1 - m->base));
        for (size_t i = 0; reply && i + 1 < reply->size(); i += 2) {
          Frame f = base;
          if ((*reply)[i] != "??") f.function = (*reply)[i];
          ParseLocation((*reply)[i + 1], f);
          if (!f.file.empty()) f.file = ReadablePath(f.file);
          frames.push_back(std::move(f));
        }
      }
    }
    if (frames.empty()) frames.push_back(base);
    return code_.emplace(pc, std::move(frames)).first->second;
  }

  // The symbol table's name (demangled as the linker knows it) wherever it names the same
  // variable as the DWARF; the DWARF's field path after it. Without DWARF: symbol+offset.
  std::string ResolveData(uint64_t addr) override {
    auto it = data_.find(addr);
    if (it != data_.end()) return it->second;
    std::string name;
    const ModuleInfo* m = ModuleOf(addr);
    if (m) {
      uint64_t offset = addr - m->base;
      std::optional<DataSymbol> sym = QueryData(*m, offset);
      DwarfGlobal global;
      DwarfNames* dwarf = DwarfOf(*m);
      if (dwarf && dwarf->Global(offset, global)) {
        name = (sym && sym->start == global.start && !global.split ? sym->name : global.name) +
               global.path;
      } else if (sym) {
        name = sym->name;
        if (offset > sym->start) name += "+" + std::to_string(offset - sym->start);
      }
    }
    data_.emplace(addr, name);
    return name;
  }

  std::string ResolveThreadLocal(uint64_t image, uint64_t offset) override {
    const ModuleInfo* m = ModuleOf(image);
    DwarfNames* dwarf = m ? DwarfOf(*m) : nullptr;
    DwarfGlobal v;
    if (!dwarf || !dwarf->ThreadLocal(offset, v)) return "";
    return v.name + v.path;
  }

  bool ResolveLocal(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t addr, std::string& variable,
                    std::string& function) override {
    const ModuleInfo* m = ModuleOf(pc);
    DwarfNames* dwarf = m ? DwarfOf(*m) : nullptr;
    DwarfLocal local;
    const std::optional<uint64_t> fp_offset =
        fp >= sp && fp != 0 ? std::optional<uint64_t>(fp - sp) : std::nullopt;
    if (!dwarf || addr < sp || !dwarf->Local(pc - m->base, addr - sp, fp_offset, local)) {
      return false;
    }
    variable = local.name + local.path;
    function = local.function;
    return true;
  }

  bool StackPointerAt(uint64_t pc, uint64_t cfa, uint64_t& sp) override {
    const ModuleInfo* m = ModuleOf(pc);
    DwarfNames* dwarf = m ? DwarfOf(*m) : nullptr;
    const std::optional<int64_t> above = dwarf ? dwarf->CfaAboveSp(pc - m->base) : std::nullopt;
    if (!above || *above <= 0 || static_cast<uint64_t>(*above) > cfa) return false;
    sp = cfa - static_cast<uint64_t>(*above);
    return true;
  }

  std::string ResolveHeapField(uint64_t alloc_site, uint64_t size, uint64_t offset,
                               bool* bytes) override {
    const ModuleInfo* m = alloc_site > 0 ? ModuleOf(alloc_site - 1) : nullptr;
    DwarfNames* dwarf = m ? DwarfOf(*m) : nullptr;
    if (!dwarf) return "";
    // The return address lies after the call; pc - 1 is inside it, in the allocating scope.
    return dwarf->AllocatedField(alloc_site - 1 - m->base, size, offset, bytes);
  }

  std::string ResolveAccessedField(uint64_t site, uint64_t access_addr, uint64_t addr) override {
    const ModuleInfo* m = site > 0 ? ModuleOf(site - 1) : nullptr;
    DwarfNames* dwarf = m ? DwarfOf(*m) : nullptr;
    if (!dwarf) return "";
    return dwarf->AccessedField(site - m->base, static_cast<int64_t>(addr - access_addr));
  }

 private:
  // The module with the highest base that contains `addr` (a non-PIE executable has base
  // 0 and spans everything below its end).
  const ModuleInfo* ModuleOf(uint64_t addr) const {
    const ModuleInfo* best = nullptr;
    for (const auto& m : modules_) {
      if (addr >= m.base && addr - m.base < m.size && (!best || m.base >= best->base)) best = &m;
    }
    return best;
  }
  bool Stale(const ModuleInfo& m) const { return stale_[&m - modules_.data()]; }

  // The symbol holding a file-relative address (a zero-sized one holds what follows it).
  std::optional<DataSymbol> QueryData(const ModuleInfo& m, uint64_t offset) {
    std::optional<DataSymbol> sym;
    if (external_) {
      sym = QueryExternalData(m, offset);
    } else if (CodeNames* code = CodeOf(m)) {
      sym = code->Data(offset);
    }
    if (!sym || offset < sym->start || (sym->size != 0 && offset >= sym->start + sym->size)) {
      return std::nullopt;
    }
    return sym;
  }

  // llvm-symbolizer's DATA answer: "name" then "start size".
  std::optional<DataSymbol> QueryExternalData(const ModuleInfo& m, uint64_t offset) {
    if (!process_.alive() || Stale(m)) return std::nullopt;
    auto reply = process_.Query("DATA " + Quoted(m.path) + " " + Hex(offset));
    if (!reply || reply->size() < 2 || (*reply)[0] == "??" || (*reply)[0].empty()) {
      return std::nullopt;
    }
    unsigned long long start = 0, size = 0;
    if (std::sscanf((*reply)[1].c_str(), "%llu %llu", &start, &size) != 2) return std::nullopt;
    return DataSymbol{(*reply)[0], start, size};
  }

  CodeNames* CodeOf(const ModuleInfo& m) {
    if (Stale(m)) return nullptr;
    auto it = code_names_.find(m.path);
    if (it == code_names_.end()) {
      it = code_names_.emplace(m.path, CodeNames::Open(m.path, !IsCLibrary(m.path))).first;
    }
    return it->second.get();
  }

  // Each module's DWARF is opened once; a module without any is remembered as such.
  DwarfNames* DwarfOf(const ModuleInfo& m) {
    if (Stale(m)) return nullptr;
    auto it = dwarf_.find(m.path);
    if (it == dwarf_.end()) it = dwarf_.emplace(m.path, DwarfNames::Open(m.path)).first;
    return it->second.get();
  }

  // The batch protocol splits on spaces unless the path is quoted.
  static std::string Quoted(const std::string& path) {
    if (path.find(' ') == std::string::npos) return path;
    return "\"" + path + "\"";
  }

  std::vector<ModuleInfo> modules_;
  std::vector<bool> stale_;  // per module: its file's build id is not the recorded one
  std::vector<std::string> warnings_;
  bool external_;  // llvm-symbolizer answers code and symbol queries
  SymbolizerProcess process_;
  std::unordered_map<uint64_t, Stack> code_;
  std::unordered_map<uint64_t, std::string> data_;
  std::unordered_map<std::string, std::unique_ptr<DwarfNames>> dwarf_;
  std::unordered_map<std::string, std::unique_ptr<CodeNames>> code_names_;
};

}  // namespace

void PrestartSymbolizer() {
  Prestarted& early = EarlyProcess();
  if (early.process.alive()) return;
  std::optional<std::string> external = ExternalSymbolizer();
  if (!external || external->empty()) return;
  early.binary = *external;
  early.process.Start(early.binary);
}

std::unique_ptr<Symbolizer> MakeSymbolizer(const std::vector<ModuleInfo>& modules) {
  return std::make_unique<ModuleSymbolizer>(modules, ExternalSymbolizer());
}

}  // namespace threadlens
