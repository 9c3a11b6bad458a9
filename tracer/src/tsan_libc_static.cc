// libc functions that are not thread-safe because they keep state of their own: strtok's
// position, the static `struct tm` of localtime and gmtime, the static string of ctime and
// asctime, the entries of getpwuid, getpwnam, getgrgid, getgrnam, gethostbyname and of the
// enumerations (getpwent, getgrent, getmntent, gethostent, getprotoent...), the names of
// ttyname and ptsname, the entry readdir returns, and the environment that getenv reads while setenv, unsetenv,
// putenv and clearenv change it. Each call records an access to that state, so two threads
// calling them with nothing ordering the calls race on it, named for what it is
// (ThreadSanitizer records localtime's buffer and the entries, but neither strtok's state
// nor the environment). strtok also reads and writes the string as strtok_r does.
#include <dirent.h>
#include <grp.h>
#include <mntent.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"
#include "runtime.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// Stand-ins for the state libc hides: one byte each, named in the trace at first use.
struct Hidden {
  const char* name;
  char byte = 0;
  bool named = false;  // written once per run; a race between two first uses names it twice
};
Hidden strtok_state{"strtok's saved position"};
Hidden environment{"the environment (getenv, setenv, putenv)"};

void Name(const void* p, size_t size, const char* name, uintptr_t pc) {
  if (uint32_t id = InternString(name, strlen(name))) {
    Emit(trace::EventKind::kNameVariable, 0, static_cast<uint16_t>(size), id,
         reinterpret_cast<uintptr_t>(p), pc);
  }
}

void Touch(Hidden& h, bool write, uintptr_t pc) {
  if (!Caller(pc)) return;
  if (!__atomic_exchange_n(&h.named, true, __ATOMIC_RELAXED)) Name(&h.byte, 1, h.name, pc);
  (write ? Write : Read)(&h.byte, 1, pc);
}

// A static result buffer of libc's: written by the call that fills it.
void Filled(const void* p, size_t size, const char* name, bool& named, uintptr_t pc) {
  if (!p || !Caller(pc)) return;
  if (!__atomic_exchange_n(&named, true, __ATOMIC_RELAXED)) Name(p, size, name, pc);
  Write(p, size, pc);
}
bool tm_named = false, text_named = false, pwuid_named = false, pwnam_named = false,
     grgid_named = false, grnam_named = false, host_named = false;

char* FallbackGetenv(const char* name) {
  size_t n = 0;
  while (name[n] && name[n] != '=') ++n;
  for (char** e = environ; e && *e; ++e) {
    size_t k = 0;
    while (k < n && (*e)[k] == name[k]) ++k;
    if (k == n && (*e)[n] == '=') return *e + n + 1;
  }
  return nullptr;
}

char* (*real_strtok)(char*, const char*) = nullptr;
tm* (*real_localtime)(const time_t*) = nullptr;
void (*real_tzset)() = nullptr;
tm* (*real_gmtime)(const time_t*) = nullptr;
char* (*real_ctime)(const time_t*) = nullptr;
char* (*real_asctime)(const tm*) = nullptr;
char* (*real_getenv)(const char*) = nullptr;
int (*real_setenv)(const char*, const char*, int) = nullptr;
int (*real_unsetenv)(const char*) = nullptr;
int (*real_putenv)(char*) = nullptr;
int (*real_clearenv)() = nullptr;
passwd* (*real_getpwuid)(uid_t) = nullptr;
passwd* (*real_getpwnam)(const char*) = nullptr;
group* (*real_getgrgid)(gid_t) = nullptr;
group* (*real_getgrnam)(const char*) = nullptr;
hostent* (*real_gethostbyname)(const char*) = nullptr;
dirent* (*real_readdir)(DIR*) = nullptr;
dirent64* (*real_readdir64)(DIR*) = nullptr;
DIR* (*real_fdopendir)(int) = nullptr;
int (*real_closedir)(DIR*) = nullptr;

}  // namespace
}  // namespace threadlens::rt::tsan::libc

using namespace threadlens::rt::tsan::libc;

namespace {

// Where strtok's next call without a string starts, as libc will keep it: known only while
// the calls record (null: not known, and then a call without a string records no bytes).
char* strtok_next = nullptr;

bool IsDelimiter(char c, const char* delim) {
  for (const char* d = delim; *d; ++d) {
    if (*d == c) return true;
  }
  return false;
}

// Where a strtok scan from `from` leaves libc's position: past the delimiter it overwrites,
// at the string's end, or null when no token is left.
char* StrtokNext(char* from, const char* delim) {
  while (*from && IsDelimiter(*from, delim)) ++from;
  if (!*from) return nullptr;
  while (*from && !IsDelimiter(*from, delim)) ++from;
  return *from ? from + 1 : from;
}

}  // namespace

// strtok: its hidden position, and the string's bytes as strtok_r's.
TSAN_EXPORT char* Intercept_strtok(char* s, const char* delim) __asm__("strtok");
char* Intercept_strtok(char* s, const char* delim) {
  auto* real = Real(real_strtok, "strtok");
  if (!real) return nullptr;
  const uintptr_t pc = TSAN_CALLER_PC;
  Touch(strtok_state, true, pc);
  char* from = s ? s : __atomic_load_n(&strtok_next, __ATOMIC_RELAXED);
  if (!Caller(pc) || !from || !delim) {
    __atomic_store_n(&strtok_next, nullptr, __ATOMIC_RELAXED);
    return real(s, delim);
  }
  char* next = StrtokNext(from, delim);
  char* r = real(s, delim);
  Scanned(from, delim, next, pc);
  __atomic_store_n(&strtok_next, next, __ATOMIC_RELAXED);
  return r;
}

TSAN_EXPORT tm* localtime(const time_t* t) {
  auto* real = Real(real_localtime, "localtime");
  tm* r;
  {
    threadlens::rt::tsan::LibraryHeapScope zone;
    r = real ? real(t) : nullptr;
  }
  Filled(r, sizeof *r, "the struct tm of localtime and gmtime", tm_named, TSAN_CALLER_PC);
  return r;
}

// tzset reads the TZ variable and may replace the zone's name: a block of the C library's.
TSAN_EXPORT void tzset() {
  auto* real = Real(real_tzset, "tzset");
  threadlens::rt::tsan::LibraryHeapScope zone;
  if (real) real();
}

TSAN_EXPORT tm* gmtime(const time_t* t) {
  auto* real = Real(real_gmtime, "gmtime");
  tm* r = real ? real(t) : nullptr;
  Filled(r, sizeof *r, "the struct tm of localtime and gmtime", tm_named, TSAN_CALLER_PC);
  return r;
}

TSAN_EXPORT char* ctime(const time_t* t) {
  auto* real = Real(real_ctime, "ctime");
  char* r;
  {
    threadlens::rt::tsan::LibraryHeapScope zone;
    r = real ? real(t) : nullptr;
  }
  if (r)
    Filled(r, RealStrlen(r) + 1, "the string of ctime and asctime", text_named, TSAN_CALLER_PC);
  return r;
}

TSAN_EXPORT char* asctime(const tm* t) {
  auto* real = Real(real_asctime, "asctime");
  char* r = real ? real(t) : nullptr;
  if (r)
    Filled(r, RealStrlen(r) + 1, "the string of ctime and asctime", text_named, TSAN_CALLER_PC);
  return r;
}

TSAN_EXPORT char* getenv(const char* name) {
  auto* real = Real(real_getenv, "getenv");
  if (!real) return FallbackGetenv(name);  // while this thread is inside dlsym
  Touch(environment, false, TSAN_CALLER_PC);
  return real(name);
}

TSAN_EXPORT int setenv(const char* name, const char* value, int overwrite) {
  auto* real = Real(real_setenv, "setenv");
  if (!real) return -1;
  Touch(environment, true, TSAN_CALLER_PC);
  return real(name, value, overwrite);
}

TSAN_EXPORT int unsetenv(const char* name) {
  auto* real = Real(real_unsetenv, "unsetenv");
  if (!real) return -1;
  Touch(environment, true, TSAN_CALLER_PC);
  return real(name);
}

TSAN_EXPORT int putenv(char* s) {
  auto* real = Real(real_putenv, "putenv");
  if (!real) return -1;
  Touch(environment, true, TSAN_CALLER_PC);
  return real(s);
}

TSAN_EXPORT int clearenv() {
  auto* real = Real(real_clearenv, "clearenv");
  if (!real) return -1;
  Touch(environment, true, TSAN_CALLER_PC);
  return real();
}

// More static results: the entries of getpwuid, getpwnam, getgrgid, getgrnam and
// gethostbyname (one each in glibc). Two threads calling one with nothing ordering the
// calls, or one reading the result while another calls, race on the entry. (glibc's
// inet_ntoa and strsignal keep their strings per thread: no shared state to record.)
namespace {

// A call that fills a static entry: the name it reads (when it takes one), the entry, and the
// strings it points to (`strings`, when it has some).
template <typename T, typename A>
T* StaticEntry(T* (*&real)(A), const char* symbol, A arg, const char* text, const char* name,
               bool& named, void (*strings)(const T*, uintptr_t), uintptr_t pc) {
  auto* f = Real(real, symbol);
  T* r = f ? f(arg) : nullptr;
  if (text && Caller(pc)) ReadString(text, pc);
  Filled(r, sizeof *r, name, named, pc);
  if (r && strings && Caller(pc)) strings(r, pc);
  return r;
}

}  // namespace

TSAN_EXPORT passwd* getpwuid(uid_t u) {
  return StaticEntry(real_getpwuid, "getpwuid", u, nullptr, "the entry of getpwuid",
                     pwuid_named, PasswdStrings, TSAN_CALLER_PC);
}

TSAN_EXPORT passwd* getpwnam(const char* name) {
  return StaticEntry(real_getpwnam, "getpwnam", name, name, "the entry of getpwnam", pwnam_named,
                     PasswdStrings, TSAN_CALLER_PC);
}

TSAN_EXPORT group* getgrgid(gid_t g) {
  return StaticEntry(real_getgrgid, "getgrgid", g, nullptr, "the entry of getgrgid", grgid_named,
                     GroupStrings, TSAN_CALLER_PC);
}

TSAN_EXPORT group* getgrnam(const char* name) {
  return StaticEntry(real_getgrnam, "getgrnam", name, name, "the entry of getgrnam", grnam_named,
                     GroupStrings, TSAN_CALLER_PC);
}

TSAN_EXPORT hostent* gethostbyname(const char* name) {
  return StaticEntry<hostent, const char*>(real_gethostbyname, "gethostbyname", name, name,
                                           "the entry of gethostbyname", host_named, nullptr,
                                           TSAN_CALLER_PC);
}

// A directory stream: the entry readdir returns lives in the DIR, and the next readdir on
// that stream overwrites it. The DIR is named at the caller's opendir.
TSAN_EXPORT DIR* fdopendir(int fd) {
  auto* real = Real(real_fdopendir, "fdopendir");
  if (!real) return nullptr;
  ::threadlens::rt::PcScope at(TSAN_CALLER_PC);
  return real(fd);
}

TSAN_EXPORT int closedir(DIR* d) {
  auto* real = Real(real_closedir, "closedir");
  if (!real) return -1;
  ::threadlens::rt::PcScope at(TSAN_CALLER_PC);
  // It closes the stream's descriptor (fdopendir's too).
  if (const int fd = d ? dirfd(d) : -1; fd >= 0) {
    ::threadlens::rt::fdsync::BeforeCloseCall(fd, TSAN_CALLER_PC);
  }
  return real(d);
}

TSAN_EXPORT dirent* readdir(DIR* d) {
  auto* real = Real(real_readdir, "readdir");
  dirent* r = real ? real(d) : nullptr;
  if (r && Caller(TSAN_CALLER_PC)) Write(r, r->d_reclen, TSAN_CALLER_PC);
  return r;
}

TSAN_EXPORT dirent64* readdir64(DIR* d) {
  auto* real = Real(real_readdir64, "readdir64");
  dirent64* r = real ? real(d) : nullptr;
  if (r && Caller(TSAN_CALLER_PC)) Write(r, r->d_reclen, TSAN_CALLER_PC);
  return r;
}

// The enumerations and the lookups that share an entry with them: one static entry per family
// (the iteration state beside it), and the static names of ttyname and ptsname.
namespace {

passwd* (*real_getpwent)() = nullptr;
group* (*real_getgrent)() = nullptr;
mntent* (*real_getmntent)(FILE*) = nullptr;
hostent* (*real_gethostent)() = nullptr;
hostent* (*real_gethostbyname2)(const char*, int) = nullptr;
hostent* (*real_gethostbyaddr)(const void*, socklen_t, int) = nullptr;
protoent* (*real_getprotoent)() = nullptr;
protoent* (*real_getprotobyname)(const char*) = nullptr;
protoent* (*real_getprotobynumber)(int) = nullptr;
char* (*real_ttyname)(int) = nullptr;
char* (*real_ptsname)(int) = nullptr;
bool pwent_named = false, grent_named = false, mntent_named = false, hostent_named = false,
     protoent_named = false, ttyname_named = false, ptsname_named = false;

template <typename T>
T* Result(T* r, const char* name, bool& named, void (*strings)(const T*, uintptr_t),
          uintptr_t pc) {
  Filled(r, sizeof *r, name, named, pc);
  if (r && strings && Caller(pc)) strings(r, pc);
  return r;
}

void MountStrings(const mntent* m, uintptr_t pc) {
  for (const char* s : {m->mnt_fsname, m->mnt_dir, m->mnt_type, m->mnt_opts}) {
    if (s) Write(s, RealStrlen(s) + 1, pc);
  }
}

char* StaticName(char* r, const char* name, bool& named, uintptr_t pc) {
  if (r) Filled(r, RealStrlen(r) + 1, name, named, pc);
  return r;
}

}  // namespace

TSAN_EXPORT passwd* getpwent() {
  auto* f = Real(real_getpwent, "getpwent");
  return Result(f ? f() : nullptr, "the entry of getpwent", pwent_named, PasswdStrings,
                TSAN_CALLER_PC);
}

TSAN_EXPORT group* getgrent() {
  auto* f = Real(real_getgrent, "getgrent");
  return Result(f ? f() : nullptr, "the entry of getgrent", grent_named, GroupStrings,
                TSAN_CALLER_PC);
}

TSAN_EXPORT mntent* getmntent(FILE* file) {
  auto* f = Real(real_getmntent, "getmntent");
  return Result(f ? f(file) : nullptr, "the entry of getmntent", mntent_named, MountStrings,
                TSAN_CALLER_PC);
}

// glibc's gethostent, gethostbyname2 and gethostbyaddr each keep an entry of their own.
TSAN_EXPORT hostent* gethostent() {
  auto* f = Real(real_gethostent, "gethostent");
  return Result<hostent>(f ? f() : nullptr, "the entry of gethostent", hostent_named, nullptr,
                         TSAN_CALLER_PC);
}

TSAN_EXPORT hostent* gethostbyname2(const char* name, int af) {
  static bool named = false;
  const uintptr_t pc = TSAN_CALLER_PC;
  auto* f = Real(real_gethostbyname2, "gethostbyname2");
  hostent* r = f ? f(name, af) : nullptr;
  if (Caller(pc)) ReadString(name, pc);
  return Result<hostent>(r, "the entry of gethostbyname2", named, nullptr, pc);
}

TSAN_EXPORT hostent* gethostbyaddr(const void* addr, socklen_t len, int type) {
  static bool named = false;
  const uintptr_t pc = TSAN_CALLER_PC;
  auto* f = Real(real_gethostbyaddr, "gethostbyaddr");
  hostent* r = f ? f(addr, len, type) : nullptr;
  if (Caller(pc)) Read(addr, len, pc);
  return Result<hostent>(r, "the entry of gethostbyaddr", named, nullptr, pc);
}

TSAN_EXPORT protoent* getprotoent() {
  auto* f = Real(real_getprotoent, "getprotoent");
  return Result<protoent>(f ? f() : nullptr, "the entry of getprotoent", protoent_named,
                          nullptr, TSAN_CALLER_PC);
}

TSAN_EXPORT protoent* getprotobyname(const char* name) {
  static bool named = false;
  const uintptr_t pc = TSAN_CALLER_PC;
  auto* f = Real(real_getprotobyname, "getprotobyname");
  protoent* r = f ? f(name) : nullptr;
  if (Caller(pc)) ReadString(name, pc);
  return Result<protoent>(r, "the entry of getprotobyname", named, nullptr, pc);
}

TSAN_EXPORT protoent* getprotobynumber(int proto) {
  static bool named = false;
  auto* f = Real(real_getprotobynumber, "getprotobynumber");
  return Result<protoent>(f ? f(proto) : nullptr, "the entry of getprotobynumber", named,
                          nullptr, TSAN_CALLER_PC);
}

TSAN_EXPORT char* ttyname(int fd) {
  auto* f = Real(real_ttyname, "ttyname");
  return StaticName(f ? f(fd) : nullptr, "the name of ttyname", ttyname_named, TSAN_CALLER_PC);
}

TSAN_EXPORT char* ptsname(int fd) {
  auto* f = Real(real_ptsname, "ptsname");
  return StaticName(f ? f(fd) : nullptr, "the name of ptsname", ptsname_named, TSAN_CALLER_PC);
}
