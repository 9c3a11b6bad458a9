// A loader for dlopen_reload_test: one thread loads plugin A, bumps its counter and unloads
// it; a second thread, later and with nothing of the program's own ordering the two, loads
// plugin B (the same code, another file), which the loader may map where A was, and bumps
// B's counter at what were A's addresses. The loader's lock orders the dlclose before the
// dlopen, so the two bumps do not race. With `late-note`, the first thread also writes a
// note after its dlclose, which the second reads after its dlopen: that races.
// Usage: plugin_reload PLUGIN_A PLUGIN_B [late-note]
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

namespace {

long note;

int Bump(const char* path) {
  void* h = dlopen(path, RTLD_NOW);
  if (!h) {
    std::fprintf(stderr, "%s\n", dlerror());
    return -1;
  }
  auto bump = reinterpret_cast<void (*)()>(dlsym(h, "plugin_bump"));
  auto* counter = static_cast<int*>(dlsym(h, "plugin_counter"));
  if (!bump || !counter) return -1;
  bump();
  bump();
  const int value = *counter;
  dlclose(h);
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const bool late_note = argc > 3 && std::strcmp(argv[3], "late-note") == 0;
  int a = 0, b = 0;
  long seen = 0;
  std::thread first([&] {
    a = Bump(argv[1]);
    if (late_note) note = 7;
  });
  std::thread second([&] {
    usleep(200 * 1000);
    void* h = dlopen(argv[2], RTLD_NOW);
    if (late_note) seen = note;
    if (h) dlclose(h);
    b = Bump(argv[2]);
  });
  first.join();
  second.join();
  std::printf("%d %d %ld\n", a, b, seen);
  return a == 2 && b == 2 ? 0 : 1;
}
