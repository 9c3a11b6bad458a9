// Loads a plugin with dlopen, has two threads call one of its functions at once, then
// unloads it with dlclose before exiting.
//   plugin_loader PLUGIN.so plugin_bump|plugin_bump_locked
#include <dlfcn.h>

#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  void* plugin = dlopen(argv[1], RTLD_NOW);
  if (!plugin) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  auto* bump = reinterpret_cast<void (*)()>(dlsym(plugin, argv[2]));
  if (!bump) return 1;
  std::thread a([bump] { for (int i = 0; i < 100; ++i) bump(); });
  std::thread b([bump] { for (int i = 0; i < 100; ++i) bump(); });
  a.join();
  b.join();
  std::printf("%d\n", *static_cast<int*>(dlsym(plugin, "plugin_counter")));
  return dlclose(plugin);
}
