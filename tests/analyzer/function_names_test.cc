// One spelling of demangled names: what c++filt and llvm-cxxfilt print for the same symbol
// comes out the same (the pairs below are their outputs), and other names stay as they are.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "function_names.h"

namespace threadlens::analysis {
namespace {

TEST(CanonicalFunction, TheTwoDemanglersSpellingsMeet) {
  const std::pair<const char*, const char*> same[] = {
      // _ZZ3AddIlEvRT_ENKUlvE_clEv, _ZZ3AddIlEvRT_ENKUlvE0_clEv
      {"Add<long>(long&)::{lambda()#1}::operator()() const",
       "void Add<long>(long&)::'lambda'()::operator()() const"},
      {"Add<long>(long&)::{lambda()#2}::operator()() const",
       "void Add<long>(long&)::'lambda0'()::operator()() const"},
      // _ZZN1S1fEvENKUliE_clEi
      {"S::f()::{lambda(int)#1}::operator()(int) const",
       "S::f()::'lambda'(int)::operator()(int) const"},
      // a lambda in a template argument
      {"std::thread::_State_impl<std::thread::_Invoker<std::tuple<Add<long>(long&)::{lambda()#2}> > "
       ">::_M_run()",
       "std::thread::_State_impl<std::thread::_Invoker<std::tuple<Add<long>(long&)::'lambda0'()> > "
       ">::_M_run()"},
      {"f()::{unnamed type#1}::g()", "f()::'unnamed'::g()"},
      {"f()::{unnamed type#3}::g()", "f()::'unnamed1'::g()"},
      // a result type of several words
      {"Get<int>()::{lambda()#1}::operator()() const",
       "unsigned long Get<int>()::'lambda'()::operator()() const"},
  };
  for (const auto& [gnu, llvm] : same) {
    EXPECT_EQ(CanonicalFunction(llvm), gnu) << llvm;
    EXPECT_EQ(CanonicalFunction(gnu), gnu) << gnu;
  }
}

TEST(CanonicalFunction, OtherNamesStayAsTheyAre) {
  for (const char* name :
       {"void Add<long>(long&)", "worker", "main", "(anonymous namespace)::Run(int)",
        "std::operator<<(std::ostream&, char const*)", "Foo::operator->() const",
        "A::operator int() const", "x'y'", "'lambda", "'lambda'", "f::'lambda'(int"}) {
    EXPECT_EQ(CanonicalFunction(name), name) << name;
  }
}

}  // namespace
}  // namespace threadlens::analysis
