// libFuzzer target for the binary trace reader: any input must end in events, warnings or a
// threadlens::Error, never a crash, a hang or a huge allocation. An odd first byte puts a
// valid file header in front of the rest, so the fuzzer spends its time on the blocks.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "readers.h"
#include "threadlens/analyzer/error.h"

namespace {
// The reader opens a path, so each input goes through one scratch file, removed at exit.
struct ScratchFile {
  std::string path = "/tmp/threadlens_fuzz_" + std::to_string(getpid());
  ~ScratchFile() { unlink(path.c_str()); }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ScratchFile scratch;
  const std::string& path = scratch.path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  if (size > 0 && (data[0] & 1)) {
    threadlens::trace::FileHeader h{};
    std::memcpy(h.magic, threadlens::trace::kMagic, sizeof h.magic);
    h.version = threadlens::trace::kVersion;
    h.header_size = sizeof h;
    h.ticks_per_second = 1000;
    h.flags = data[0] >> 1;
    std::fwrite(&h, sizeof h, 1, f);
    ++data;
    --size;
  }
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    auto src = threadlens::OpenBinaryTrace(path);
    threadlens::StreamEvent se;
    for (int i = 0; i < 1000000 && src->Next(se); ++i) {
      (void)src->String(se.ev.aux32);
    }
  } catch (const threadlens::Error&) {
  }
  return 0;
}
