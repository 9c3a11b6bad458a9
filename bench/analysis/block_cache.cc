// Bench program for analysis speed: the shape of a real service. Two threads each round
// allocate a fresh block (4 KiB; 64 KiB every 64th round), fill it, and copy it into a shared
// cache under a mutex, with std::string building/copying and std::vector growth on the side.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kSmall = 4 << 10;
constexpr size_t kLarge = 64 << 10;
constexpr int kSlots = 16;

struct Cache {
  std::mutex mu;
  std::unique_ptr<unsigned char[]> slot[kSlots];
  size_t size[kSlots] = {};
  std::vector<std::string> keys;  // grows: one key per insertion, trimmed when long
  unsigned long checksum = 0;
};

Cache cache;

void Worker(int id, int rounds) {
  std::vector<unsigned> sizes;  // grows round by round
  std::string log;
  for (int r = 0; r < rounds; ++r) {
    const size_t n = r % 64 == 63 ? kLarge : kSmall;
    auto block = std::make_unique<unsigned char[]>(n);
    for (size_t i = 0; i < n; ++i) block[i] = static_cast<unsigned char>(i * 7 + r + id);

    std::string key = "worker-" + std::to_string(id) + "/round-" + std::to_string(r);
    std::string copy = key;
    copy += ":" + std::to_string(n);
    log += copy.substr(0, 8);
    if (log.size() > 4096) log.clear();
    sizes.push_back(static_cast<unsigned>(n));

    std::lock_guard<std::mutex> lock(cache.mu);
    const int s = (r * 2 + id) % kSlots;
    if (cache.size[s] < n) cache.slot[s] = std::make_unique<unsigned char[]>(n);
    std::memcpy(cache.slot[s].get(), block.get(), n);
    cache.size[s] = n;
    cache.checksum += cache.slot[s][n / 2];
    cache.keys.push_back(std::move(copy));
    if (cache.keys.size() > 256) cache.keys.erase(cache.keys.begin(), cache.keys.begin() + 128);
  }
  std::lock_guard<std::mutex> lock(cache.mu);
  cache.checksum += sizes.size() + log.size();
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 6000;
  std::thread a(Worker, 0, rounds), b(Worker, 1, rounds);
  a.join();
  b.join();
  std::printf("%lu\n", cache.checksum);
}
