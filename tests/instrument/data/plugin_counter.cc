// A plugin for dlopen_names_test: a counter two threads bump, with or without its mutex.
#include <mutex>

extern "C" {
int plugin_counter;
void plugin_bump() { ++plugin_counter; }
void plugin_bump_locked() {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  ++plugin_counter;
}
}
