// Helpers of the binary trace format tests: temporary paths, raw bytes, and reading a
// trace whole or expecting its damage at an offset.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"

namespace threadlens {

inline std::string TmpPath(const std::string& name) {
  std::filesystem::create_directories(TL_TMP_DIR);
  return std::string(TL_TMP_DIR) + "/" + name;
}

inline std::vector<StreamEvent> ReadAll(const std::string& path,
                                 std::vector<std::string>* warnings = nullptr) {
  auto src = OpenTrace(path);
  std::vector<StreamEvent> out;
  StreamEvent se;
  while (src->Next(se)) out.push_back(se);
  if (warnings) *warnings = src->Warnings();
  return out;
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Expects OpenTrace + reading to throw an Error whose message names `offset`.
inline void ExpectErrorAt(const std::string& path, uint64_t offset) {
  try {
    ReadAll(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
    EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(offset)), std::string::npos)
        << e.what();
  }
}

}  // namespace threadlens
