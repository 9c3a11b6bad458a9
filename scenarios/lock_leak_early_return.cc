// Scenario lock_leak_early_return: a config reloader locks config_lock by hand and returns early
// on a malformed line without unlocking. Its thread ends holding the lock; the request handler
// that needs the config next waits forever.
//
// STORY: the Reloader returns early holding config_lock; the RequestHandler waits forever
// EXPECT: misuse subkind=held-at-exit locks=config_lock threads=Reloader
// EXPECT: hang subkind=lock locks=config_lock threads=RequestHandler,MainThread
// WATCHDOG: 1
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex config_lock;
std::map<std::string, std::string> config = {{"timeout_ms", "500"}};

// Applies "key=value" lines; false on a malformed line.
bool ApplyConfig(const std::string& text) {
  config_lock.lock();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "config: malformed line '%s'\n", line.c_str());
      return false;  // the bug: config_lock stays locked
    }
    config[line.substr(0, eq)] = line.substr(eq + 1);
  }
  config_lock.unlock();
  return true;
}

std::string Lookup(const std::string& key) {
  std::lock_guard<std::mutex> guard(config_lock);
  return config[key];
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&config_lock, "config_lock");

  std::thread reloader([] {
    threadlens_name_thread("Reloader");
    ApplyConfig("timeout_ms=250\nretries 3\n");
  });
  std::thread handler([] {
    threadlens_name_thread("RequestHandler");
    std::this_thread::sleep_for(100ms);  // the next request arrives after the reload
    std::printf("serving with timeout %s ms\n", Lookup("timeout_ms").c_str());
  });
  reloader.join();
  handler.join();
  return 0;
}
