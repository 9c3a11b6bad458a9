// One spelling of a demangled C++ function name, whichever demangler wrote it: the GNU
// demangler (the trace's symbolizer) and LLVM's (llvm-symbolizer, in ThreadSanitizer's
// reports) spell a few things differently, and a finding's fingerprint must not depend on
// which tool found it.
#pragma once

#include <string>

namespace threadlens::analysis {

// GNU's spelling of `name`: a lambda is `{lambda(int)#1}`, not LLVM's `'lambda'(int)` (the
// second `'lambda0'`, and so on) and an unnamed type `{unnamed type#1}`, not `'unnamed'`;
// and a local entity's enclosing function loses the result type LLVM gives a template's
// (`void Add<long>(long&)::{lambda()#1}::operator()() const` is
// `Add<long>(long&)::{lambda()#1}::operator()() const`). Other names are returned as they are.
std::string CanonicalFunction(const std::string& name);

}  // namespace threadlens::analysis
