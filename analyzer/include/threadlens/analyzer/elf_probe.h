// What a program file carries, read from its ELF symbols before it runs.
#pragma once

#include <string>

namespace threadlens {

// True when the file carries ThreadSanitizer's own runtime: clang's -fsanitize=thread links it
// in (a defined __tsan_init), gcc's loads libtsan.so. A program built with threadlens-c++
// only calls __tsan_* functions, which the threadlens runtime defines. False when the file
// cannot be read as ELF.
bool HasTsanRuntime(const std::string& path);

}  // namespace threadlens
