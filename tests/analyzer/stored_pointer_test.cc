// StoredPointer: the global or member an allocation's result is stored into, read from the
// machine code after the call, on the sequences clang and gcc emit (bytes taken from their output) and on
// sequences where the pointer is lost before the store.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "dwarf_scopes.h"

namespace threadlens::dwarf_scopes {
namespace {

// The global's address, or nothing (a member store, or no store).
std::optional<uint64_t> Stored(const std::vector<unsigned char>& code, uint64_t ret) {
  auto s = StoredPointer(code.data(), code.size(), ret);
  if (!s || s->kind != PointerStore::kGlobal) return std::nullopt;
  return s->global;
}

TEST(StoredPointer, StoreOfRaxRightAfterTheCall) {
  // mov %rax, 0x100(%rip)
  EXPECT_EQ(Stored({0x48, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00}, 0x1000), 0x1000 + 7 + 0x100);
}

TEST(StoredPointer, GccO0KeepsItInACalleeSavedRegisterAcrossTheCheck) {
  // mov %rax,%rbx; lea g(%rip),%rax; mov %rax,%rdi; call check; mov %rbx,g(%rip)
  const std::vector<unsigned char> code = {0x48, 0x89, 0xc3, 0x48, 0x8d, 0x05, 0xdf, 0x4c, 0x00,
                                           0x00, 0x48, 0x89, 0xc7, 0xe8, 0x17, 0xfd, 0xff, 0xff,
                                           0x48, 0x89, 0x1d, 0xd0, 0x4c, 0x00, 0x00};
  EXPECT_EQ(Stored(code, 0x2417), 0x7100u);
}

TEST(StoredPointer, ClangO0GoesThroughFrameSlotsAndTheNormalEdgeOfNew) {
  // mov %rax,-0x38(%rbp); jmp +0; mov -0x38(%rbp),%rax; mov %rax,-0x60(%rbp);
  // lea g(%rip),%rdi; call check; mov -0x60(%rbp),%rax; mov %rax,g(%rip)
  const std::vector<unsigned char> code = {
      0x48, 0x89, 0x45, 0xc8, 0xe9, 0x00, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x45, 0xc8, 0x48,
      0x89, 0x45, 0xa0, 0x48, 0x8d, 0x3d, 0xa9, 0x4d, 0x00, 0x00, 0xe8, 0xe4, 0xfd, 0xff,
      0xff, 0x48, 0x8b, 0x45, 0xa0, 0x48, 0x89, 0x05, 0x99, 0x4d, 0x00, 0x00};
  EXPECT_EQ(Stored(code, 0x235f), 0x7120u);
}

TEST(StoredPointer, GccO2LoadsTheNextArgumentsBetween) {
  // mov %r12,%rdi; mov %rax,%rbx; call check; mov $8,%edi; mov %rbx,g(%rip)
  const std::vector<unsigned char> code = {0x4c, 0x89, 0xe7, 0x48, 0x89, 0xc3, 0xe8, 0xb9,
                                           0xfe, 0xff, 0xff, 0xbf, 0x08, 0x00, 0x00, 0x00,
                                           0x48, 0x89, 0x1d, 0x7d, 0x3e, 0x00, 0x00};
  EXPECT_EQ(Stored(code, 0x227c), 0x6110u);
}

TEST(StoredPointer, NothingWhenThePointerIsLostFirst) {
  // A call clobbers %rax before it is stored.
  EXPECT_EQ(Stored({0xe8, 0, 0, 0, 0, 0x48, 0x89, 0x05, 0x10, 0, 0, 0}, 0x1000), std::nullopt);
  // mov %rax,%rbx; xor %ebx,%ebx; mov %rbx,g(%rip)
  EXPECT_EQ(Stored({0x48, 0x89, 0xc3, 0x31, 0xdb, 0x48, 0x89, 0x1d, 0x10, 0, 0, 0}, 0x1000),
            std::nullopt);
  // Another register is stored: mov %rax,%rbx; mov %rcx,g(%rip)
  EXPECT_EQ(Stored({0x48, 0x89, 0xc3, 0x48, 0x89, 0x0d, 0x10, 0, 0, 0}, 0x1000), std::nullopt);
  // A 32-bit store of %eax is no pointer: mov %eax,g(%rip)
  EXPECT_EQ(Stored({0x89, 0x05, 0x10, 0, 0, 0}, 0x1000), std::nullopt);
  // A slot overwritten by something else before it is reloaded and stored.
  EXPECT_EQ(Stored({0x48, 0x89, 0x45, 0xc8, 0x48, 0x89, 0x5d, 0xc8, 0x48, 0x8b, 0x45, 0xc8,
                    0x48, 0x89, 0x05, 0x10, 0, 0, 0},
                   0x1000),
            std::nullopt);
  // Code the search does not follow (a conditional jump) ends it.
  EXPECT_EQ(Stored({0x74, 0x05, 0x48, 0x89, 0x05, 0x10, 0, 0, 0}, 0x1000), std::nullopt);
}

TEST(StoredPointer, ClangO1StoresIntoAMemberThroughTheObjectsRegister) {
  // mov %rax,%rbp; lea 0x8(%rbx),%rdi; call check; mov %rbp,0x8(%rbx)
  const std::vector<unsigned char> code = {0x48, 0x89, 0xc5, 0x48, 0x8d, 0x7b, 0x08, 0xe8,
                                           0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0x6b, 0x08};
  const auto s = StoredPointer(code.data(), code.size(), 0x1280);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, PointerStore::kMember);
  EXPECT_EQ(s->base, 3);  // %rbx
  EXPECT_EQ(s->offset, 8);
  EXPECT_EQ(s->pc, 0x1280u + 12);
}

TEST(StoredPointer, ClangO0StoresThroughAPointerReloadedFromACopyOfTheVariablesSlot) {
  // mov %rax,-0x28(%rbp); mov -0x10(%rbp),%rdi; mov %rdi,-0x20(%rbp); add $8,%rdi; call check;
  // mov -0x28(%rbp),%rcx; mov -0x20(%rbp),%rax; mov %rcx,0x8(%rax)
  const std::vector<unsigned char> code = {
      0x48, 0x89, 0x45, 0xd8, 0x48, 0x8b, 0x7d, 0xf0, 0x48, 0x89, 0x7d, 0xe0, 0x48, 0x83,
      0xc7, 0x08, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x4d, 0xd8, 0x48, 0x8b, 0x45,
      0xe0, 0x48, 0x89, 0x48, 0x08};
  const auto s = StoredPointer(code.data(), code.size(), 0x12a8);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, PointerStore::kMember);
  EXPECT_EQ(s->base, -1);
  EXPECT_EQ(s->slot, -0x10);  // the variable's slot, not the copy's
  EXPECT_EQ(s->offset, 8);
  EXPECT_EQ(s->pc, 0x12a8u + 29);
}

TEST(StoredPointer, AFrameSlotStoreIsOnlyAFallback) {
  // mov %rax,-0x28(%rbp) then nothing followed: the slot store is the candidate (the debug
  // info rejects it where %rbp is the frame pointer); with a global store after it, the global.
  const std::vector<unsigned char> slot = {0x48, 0x89, 0x45, 0xd8, 0x74, 0x00};
  const auto s = StoredPointer(slot.data(), slot.size(), 0x1000);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, PointerStore::kMember);
  EXPECT_EQ(s->base, 6);
  EXPECT_EQ(s->offset, -0x28);
  EXPECT_EQ(Stored({0x48, 0x89, 0x45, 0xd8, 0x48, 0x8b, 0x4d, 0xd8, 0x48, 0x89, 0x0d, 0x10, 0, 0, 0},
                   0x1000),
            0x1000u + 15 + 0x10);
}

}  // namespace
}  // namespace threadlens::dwarf_scopes
