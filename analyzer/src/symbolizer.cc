// Placeholder symbolizer: module + offset only. Replaced by the llvm-symbolizer backed one.
#include "threadlens/analyzer/symbolizer.h"

namespace threadlens {
namespace {
class ModuleOnlySymbolizer : public Symbolizer {
 public:
  explicit ModuleOnlySymbolizer(std::vector<ModuleInfo> m) : modules_(std::move(m)) {}
  Frame ResolveCode(uint64_t pc) override {
    Frame f;
    f.pc = pc;
    for (const auto& m : modules_) {
      if (pc >= m.base && pc < m.base + m.size) f.module = m.path;
    }
    return f;
  }
  std::string ResolveData(uint64_t) override { return ""; }

 private:
  std::vector<ModuleInfo> modules_;
};
}  // namespace
std::unique_ptr<Symbolizer> MakeSymbolizer(const std::vector<ModuleInfo>& modules) {
  return std::make_unique<ModuleOnlySymbolizer>(modules);
}
}  // namespace threadlens
