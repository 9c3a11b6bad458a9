// The program's ThreadSanitizer settings, recorded once at start (and again in a fork child's
// trace) as a kSettings block: TSAN_OPTIONS, what __tsan_default_options() and
// __tsan_default_suppressions() return when the program defines them, and the text of the
// suppressions file TSAN_OPTIONS names. The analyzer applies them as TSan would, so a program
// moved from TSan keeps its suppressions. The file is read now, as TSan does, so the trace
// stays self-contained.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime_internal.h"

extern "C" {
// Defined by the program when it carries its own TSan settings; weak so that their absence
// is a null address (the reference makes the linker export the program's definition).
__attribute__((weak)) const char* __tsan_default_options();
__attribute__((weak)) const char* __tsan_default_suppressions();
}

namespace threadlens::rt {
namespace {

constexpr size_t kCapacity = 1 << 20;  // the whole block; a larger file is cut with a note
constexpr size_t kMaxFile = kCapacity - 64 * 1024;

char* g_block = nullptr;  // SettingEntry records, ready to write
size_t g_size = 0;
uint32_t g_count = 0;

void Add(const char* key, const char* value, size_t len) {
  const size_t klen = strlen(key);
  if (g_size + sizeof(trace::SettingEntry) + klen + len > kCapacity) return;
  trace::SettingEntry e{static_cast<uint32_t>(klen), static_cast<uint32_t>(len)};
  memcpy(g_block + g_size, &e, sizeof e);
  memcpy(g_block + g_size + sizeof e, key, klen);
  memcpy(g_block + g_size + sizeof e + klen, value, len);
  g_size += sizeof e + klen + len;
  ++g_count;
}
void Add(const char* key, const char* value) { Add(key, value, strlen(value)); }

// The value of the last `suppressions=` in a TSan flag string: flags are separated by blanks,
// commas or colons, and a value may be quoted with ' or ".
bool SuppressionsPath(const char* s, char* out, size_t cap) {
  bool found = false;
  while (*s) {
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == ',' || *s == ':') ++s;
    const char* name = s;
    while (*s && *s != '=' && *s != ' ' && *s != ',' && *s != ':') ++s;
    const bool ours = s - name == 12 && memcmp(name, "suppressions", 12) == 0;
    if (*s != '=') continue;
    ++s;
    const char quote = (*s == '\'' || *s == '"') ? *s++ : 0;
    const char* value = s;
    if (quote) {
      while (*s && *s != quote) ++s;
    } else {
      while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != ',' && *s != ':') ++s;
    }
    const size_t len = static_cast<size_t>(s - value);
    if (quote && *s) ++s;
    if (ours && len > 0 && len < cap) {
      memcpy(out, value, len);
      out[len] = 0;
      found = true;
    }
  }
  return found;
}

int OpenFile(const char* path) {
  return static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
}

// Reads the suppressions file: as given, then (a relative path) beside the program, as TSan.
void RecordSuppressionsFile(const char* path) {
  char tried[4096];
  int fd = OpenFile(path);
  snprintf(tried, sizeof tried, "%s", path);
  if (fd < 0 && path[0] != '/') {
    char exe[2048];
    const ssize_t n = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
      exe[n] = 0;
      if (char* slash = strrchr(exe, '/')) {
        slash[1] = 0;
        snprintf(tried, sizeof tried, "%s%s", exe, path);
        fd = OpenFile(tried);
      }
    }
    if (fd < 0) snprintf(tried, sizeof tried, "%s", path);
  }
  Add("suppressions_file", tried);
  if (fd < 0) {
    Add("suppressions_error", strerror(errno));
    return;
  }
  char* text = static_cast<char*>(
      mmap(nullptr, kMaxFile, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  size_t len = 0;
  if (text != MAP_FAILED) {
    for (;;) {
      const ssize_t r = syscall(SYS_read, fd, text + len, kMaxFile - len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      len += static_cast<size_t>(r);
      if (len == kMaxFile) {
        Add("suppressions_error", "the file is larger than 960 KiB; the rest was not read");
        break;
      }
    }
    Add("suppressions", text, len);
    munmap(text, kMaxFile);
  }
  syscall(SYS_close, fd);
}

}  // namespace

void CaptureSettings() {
  g_block = static_cast<char*>(
      mmap(nullptr, kCapacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (g_block == MAP_FAILED) {
    g_block = nullptr;
    return;
  }
  char path[2048];
  bool have_path = false;
  // TSan's order: the program's defaults first, TSAN_OPTIONS over them.
  if (__tsan_default_options) {
    if (const char* s = __tsan_default_options()) {
      Add("__tsan_default_options", s);
      have_path = SuppressionsPath(s, path, sizeof path);
    }
  }
  if (const char* env = getenv("TSAN_OPTIONS"); env && *env) {
    Add("TSAN_OPTIONS", env);
    have_path = SuppressionsPath(env, path, sizeof path) || have_path;
  }
  if (__tsan_default_suppressions) {
    if (const char* s = __tsan_default_suppressions(); s && *s) Add("__tsan_default_suppressions", s);
  }
  if (have_path) RecordSuppressionsFile(path);
}

void WriteSettings() {
  if (g_block && g_count > 0) WriteBlock(trace::BlockKind::kSettings, 0, g_count, g_block, g_size);
}

}  // namespace threadlens::rt
