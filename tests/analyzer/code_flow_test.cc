// code_flow: the store that keeps an allocation's pointer and where that store's address
// came from, on code shaped as clang and gcc emit it (assembled from their output's
// instructions), and on code where the origin is lost.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "code_flow.h"

namespace threadlens::code_flow {
namespace {

constexpr uint64_t kStart = 0x1000;
constexpr int kRax = 0, kRcx = 1, kRbx = 3, kRdi = 7, kR12 = 12, kR14 = 14;

// The store found from the return address at `ret_offset`, and the origin of `reg` there.
struct Flow {
  std::optional<Store> store;
  std::optional<Origin> origin;
};
Flow Follow(const std::vector<unsigned char>& code, size_t ret_offset, int reg = -1) {
  Flow f;
  f.store = PointerStore(code.data() + ret_offset, code.size() - ret_offset, kStart + ret_offset);
  if (f.store && !f.store->rip) {
    f.origin = RegisterOrigin(code.data(), code.size(), kStart, f.store->pc,
                              reg >= 0 ? reg : f.store->base);
  }
  return f;
}

TEST(CodeFlow, ALoopStoresIntoAGlobalArrayThroughASteppedRegister) {
  // lea g(%rip),%r14; 1: mov $0x18,%edi; call malloc; mov %rax,%rbx; mov %r14,%rdi;
  // call check; mov %rbx,(%r14); add $8,%r14; cmp $0x20,%r14; jne 1b; ret
  const std::vector<unsigned char> code = {
      0x4c, 0x8d, 0x35, 0x00, 0x01, 0x00, 0x00, 0xbf, 0x18, 0x00, 0x00, 0x00, 0xe8, 0x3b,
      0x00, 0x00, 0x00, 0x48, 0x89, 0xc3, 0x4c, 0x89, 0xf7, 0xe8, 0x3b, 0x00, 0x00, 0x00,
      0x49, 0x89, 0x1e, 0x49, 0x83, 0xc6, 0x08, 0x49, 0x83, 0xfe, 0x20, 0x75, 0xde, 0xc3};
  const Flow f = Follow(code, 0x11);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->pc, kStart + 0x1c);
  EXPECT_EQ(f.store->base, kR14);
  EXPECT_FALSE(f.store->indexed);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kAddressOf);
  EXPECT_EQ(f.origin->address, kStart + 7 + 0x100);
  EXPECT_TRUE(f.origin->adjusted) << "the add after the store steps it round the loop";
}

TEST(CodeFlow, GccO0PutsTheArrayInTheIndexRegister) {
  // call malloc; mov %rax,%rbx; mov -0x14(%rbp),%eax; cltq; lea 0(,%rax,8),%rdx;
  // lea g(%rip),%rax; mov %rbx,(%rdx,%rax,1); ret
  const std::vector<unsigned char> code = {
      0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0xc3, 0x8b, 0x45, 0xec, 0x48, 0x98, 0x48, 0x8d,
      0x14, 0xc5, 0x00, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x05, 0x00, 0x02, 0x00, 0x00, 0x48, 0x89,
      0x1c, 0x02, 0xc3};
  const Flow by_base = Follow(code, 5);
  ASSERT_TRUE(by_base.store);
  EXPECT_TRUE(by_base.store->indexed);
  EXPECT_EQ(by_base.store->index, kRax);
  EXPECT_EQ(by_base.store->scale, 1);
  EXPECT_FALSE(by_base.origin) << "%rdx is an index scaled by lea, no address";
  const Flow by_index = Follow(code, 5, kRax);
  ASSERT_TRUE(by_index.origin);
  EXPECT_EQ(by_index.origin->kind, Origin::kAddressOf);
  EXPECT_EQ(by_index.origin->address, kStart + 0x1c + 0x200);
}

TEST(CodeFlow, APreviousAllocationKeptInAGlobalIsWhatTheGlobalHolds) {
  // call calloc; mov %rax,%rbx; lea g(%rip),%r15; mov %r15,%rdi; call check;
  // mov %rbx,g(%rip); mov $1,%edi; call calloc; mov %rax,%r12; lea 8(%rbx),%rdi;
  // call check; mov %r12,8(%rbx); ret
  const std::vector<unsigned char> code = {
      0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0xc3, 0x4c, 0x8d, 0x3d, 0x00, 0x03, 0x00, 0x00,
      0x4c, 0x89, 0xff, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0x1d, 0x00, 0x03, 0x00, 0x00,
      0xbf, 0x01, 0x00, 0x00, 0x00, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x49, 0x89, 0xc4, 0x48, 0x8d,
      0x7b, 0x08, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x4c, 0x89, 0x63, 0x08, 0xc3};
  // The first allocation goes straight into the global.
  const Flow first = Follow(code, 5);
  ASSERT_TRUE(first.store);
  EXPECT_TRUE(first.store->rip);
  EXPECT_EQ(first.store->target, kStart + 0x1e + 0x300);
  // The second into a member of the first.
  const Flow second = Follow(code, 0x28);
  ASSERT_TRUE(second.store);
  EXPECT_EQ(second.store->base, kRbx);
  EXPECT_EQ(second.store->disp, 8);
  ASSERT_TRUE(second.origin);
  EXPECT_EQ(second.origin->kind, Origin::kLoadedFrom);
  EXPECT_EQ(second.origin->address, kStart + 0x1e + 0x300);
  EXPECT_FALSE(second.origin->adjusted);
}

TEST(CodeFlow, AnIndexPlusAPointerLoadedFromAGlobal) {
  // xor %ebx,%ebx; 1: mov %rbx,%r12; add g(%rip),%r12; mov $0x10,%esi; call calloc;
  // mov %rax,%rbp; mov %r12,%rdi; call check; mov %rbp,(%r12); add $8,%rbx; cmp; jne 1b
  const std::vector<unsigned char> code = {
      0x31, 0xdb, 0x49, 0x89, 0xdc, 0x4c, 0x03, 0x25, 0x00, 0x04, 0x00, 0x00, 0xbe, 0x10, 0x00,
      0x00, 0x00, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0xc5, 0x4c, 0x89, 0xe7, 0xe8, 0x3b,
      0x00, 0x00, 0x00, 0x49, 0x89, 0x2c, 0x24, 0x48, 0x83, 0xc3, 0x08, 0x48, 0x83, 0xfb, 0x20,
      0x75, 0xd3, 0xc3};
  const Flow f = Follow(code, 0x16);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kR12);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kLoadedFrom);
  EXPECT_EQ(f.origin->address, kStart + 0xc + 0x400);
  EXPECT_TRUE(f.origin->adjusted);
}

TEST(CodeFlow, FrameSlotsCarryBothThePointerAndTheObjectsAddress) {
  // -O0: mov g(%rip),%rax; mov %rax,-0x78(%rbp); call malloc; mov %rax,-0x88(%rbp);
  // mov -0x78(%rbp),%rcx; mov -0x88(%rbp),%rdx; mov %rdx,0x10(%rcx); ret
  const std::vector<unsigned char> code = {
      0x48, 0x8b, 0x05, 0x00, 0x05, 0x00, 0x00, 0x48, 0x89, 0x45, 0x88, 0xe8, 0x3b,
      0x00, 0x00, 0x00, 0x48, 0x89, 0x85, 0x78, 0xff, 0xff, 0xff, 0x48, 0x8b, 0x4d,
      0x88, 0x48, 0x8b, 0x95, 0x78, 0xff, 0xff, 0xff, 0x48, 0x89, 0x51, 0x10, 0xc3};
  const Flow f = Follow(code, 0x10);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kRcx);
  EXPECT_EQ(f.store->disp, 0x10);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kLoadedFrom);
  EXPECT_EQ(f.origin->address, kStart + 7 + 0x500);
}

TEST(CodeFlow, StoresIntoTheFrameAreKeptOnTheWayToTheStore) {
  // call malloc; mov %rax,(%rsp); mov %rax,0x8(%rsp,%rbx,8); mov %rax,%rbx; call check;
  // mov %rbx,0x10(%r13); ret
  const std::vector<unsigned char> code = {0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0x04, 0x24,
                                           0x48, 0x89, 0x44, 0xdc, 0x08, 0x48, 0x89, 0xc3, 0xe8,
                                           0x3b, 0x00, 0x00, 0x00, 0x49, 0x89, 0x5d, 0x10, 0xc3};
  std::vector<Store> frame;
  const std::optional<Store> s = PointerStore(code.data() + 5, code.size() - 5, kStart + 5, &frame);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->base, 13);
  EXPECT_EQ(s->disp, 0x10);
  ASSERT_EQ(frame.size(), 2u);  // a spill or a local array's element: the debug info decides
  EXPECT_EQ(frame[0].base, 4);
  EXPECT_EQ(frame[0].disp, 0);
  EXPECT_FALSE(frame[0].indexed);
  EXPECT_EQ(frame[1].base, 4);
  EXPECT_EQ(frame[1].disp, 8);
  EXPECT_TRUE(frame[1].indexed);
}

TEST(CodeFlow, ALocalArraysAddressTakenFromTheStackPointer) {
  // gcc -O2: mov %rsp,%r12; call malloc; mov %rax,%rbx; mov %rax,%rdi;
  // mov %rax,(%r12,%rbp,8); ...
  const std::vector<unsigned char> code = {0x49, 0x89, 0xe4, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48,
                                           0x89, 0xc3, 0x48, 0x89, 0xc7, 0x49, 0x89, 0x04, 0xec,
                                           0x48, 0x89, 0x44, 0x24, 0x08, 0xe8, 0x3b, 0x00, 0x00,
                                           0x00, 0xc3};
  const Flow f = Follow(code, 8);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kR12);
  EXPECT_TRUE(f.store->indexed);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kFrameAddress);
  EXPECT_EQ(f.origin->object, 4);
  EXPECT_EQ(f.origin->member, 0);
  EXPECT_EQ(f.origin->at, kStart);
}

TEST(CodeFlow, NoOriginThroughACallThatClobbersTheRegister) {
  // lea g(%rip),%rdi; call malloc; mov %rax,%rbx; call f; mov %rbx,(%rdi); ret
  const std::vector<unsigned char> code = {0x48, 0x8d, 0x3d, 0x00, 0x01, 0x00, 0x00, 0xe8,
                                           0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0xc3, 0xe8,
                                           0x3b, 0x00, 0x00, 0x00, 0x48, 0x89, 0x1f, 0xc3};
  const Flow f = Follow(code, 0xc);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kRdi);
  EXPECT_FALSE(f.origin);
}

TEST(CodeFlow, AnAddressLoadedFromAMemberOfAnotherObject) {
  // mov (%rcx),%r14; call malloc; mov %rax,(%r14); ret
  const std::vector<unsigned char> code = {0x4c, 0x8b, 0x31, 0xe8, 0x3b, 0x00,
                                           0x00, 0x00, 0x49, 0x89, 0x06, 0xc3};
  const Flow f = Follow(code, 8);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kR14);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kLoadedFromMember);
  EXPECT_EQ(f.origin->object, kRcx);
  EXPECT_EQ(f.origin->member, 0);
  EXPECT_EQ(f.origin->at, kStart);
}

TEST(CodeFlow, NoOriginPastAJumpElsewhere) {
  // mov (%rcx),%r14; jmp out; call malloc; mov %rax,(%r14); out: ret. The code after the jump
  // is reached from elsewhere: %r14 may hold another value there.
  const std::vector<unsigned char> code = {0x4c, 0x8b, 0x31, 0xeb, 0x08, 0xe8, 0x3b,
                                           0x00, 0x00, 0x00, 0x49, 0x89, 0x06, 0xc3};
  const Flow f = Follow(code, 10);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kR14);
  EXPECT_FALSE(f.origin);
  // A jump to the very next instruction falls through to it.
  std::vector<unsigned char> through = code;
  through[4] = 0x00;
  const Flow t = Follow(through, 10);
  ASSERT_TRUE(t.origin);
  EXPECT_EQ(t.origin->kind, Origin::kLoadedFromMember);
  EXPECT_EQ(t.origin->object, kRcx);
}

TEST(CodeFlow, GccO0LoadsTheObjectsPointerFromItsFrameSlot) {
  // mov -0x18(%rbp),%rax; mov 0x10(%rax),%rax; mov -0x14(%rbp),%edx; movslq %edx,%rdx;
  // shl $3,%rdx; lea (%rax,%rdx,1),%rbx; call malloc; mov %rax,(%rbx); ret
  const std::vector<unsigned char> code = {
      0x48, 0x8b, 0x45, 0xe8, 0x48, 0x8b, 0x40, 0x10, 0x8b, 0x55, 0xec, 0x48, 0x63, 0xd2,
      0x48, 0xc1, 0xe2, 0x03, 0x48, 0x8d, 0x1c, 0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48,
      0x89, 0x03, 0xc3};
  const Flow f = Follow(code, 0x1b);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kRbx);
  ASSERT_TRUE(f.origin);
  EXPECT_EQ(f.origin->kind, Origin::kLoadedFromMember);
  EXPECT_EQ(f.origin->object, -1);
  EXPECT_EQ(f.origin->slot, -0x18);
  EXPECT_EQ(f.origin->member, 0x10);
  EXPECT_TRUE(f.origin->adjusted);
}

TEST(CodeFlow, NoOriginForAnAddressComputedOtherwise) {
  // imul $24,%rcx,%r14; call malloc; mov %rax,(%r14); ret
  const std::vector<unsigned char> code = {0x4c, 0x6b, 0xf1, 0x18, 0xe8, 0x3b, 0x00,
                                           0x00, 0x00, 0x49, 0x89, 0x06, 0xc3};
  const Flow f = Follow(code, 9);
  ASSERT_TRUE(f.store);
  EXPECT_EQ(f.store->base, kR14);
  EXPECT_FALSE(f.origin);
}

TEST(CodeFlow, NoStoreWhenThePointerIsOverwrittenFirst) {
  // mov %rax,%rbx; xor %ebx,%ebx; mov %rbx,0x100(%rip); ret
  const std::vector<unsigned char> code = {0x48, 0x89, 0xc3, 0x31, 0xdb, 0x48, 0x89,
                                           0x1d, 0x00, 0x01, 0x00, 0x00, 0xc3};
  // %rax itself still holds it, but is never stored.
  EXPECT_FALSE(PointerStore(code.data(), code.size(), kStart));
}


// The bases of the address an access's check call (returning at `ret_offset`) was given.
std::vector<AddressBase> Bases(const std::vector<unsigned char>& code, size_t ret_offset) {
  return AddressBases(code.data(), code.size(), kStart, kStart + ret_offset, kRdi);
}

TEST(CodeFlow, AnAccessAtAnOffsetFromAVariablesRegister) {
  // mov %rdi,%rbx; lea 0x10(%rbx),%rdi; call check; movq $1,0x10(%rbx); ret
  const std::vector<unsigned char> code = {0x48, 0x89, 0xfb, 0x48, 0x8d, 0x7b, 0x10,
                                           0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0xc7,
                                           0x43, 0x10, 0x01, 0x00, 0x00, 0x00, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0xc);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].reg, kRdi);  // at the call: the address itself
  EXPECT_EQ(b[0].offset, 0);
  EXPECT_EQ(b[1].reg, kRbx);  // at the lea: 0x10 past %rbx
  EXPECT_EQ(b[1].at, kStart + 3);
  EXPECT_EQ(b[1].offset, 0x10);
  EXPECT_EQ(b[2].reg, kRdi);  // %rbx was the incoming %rdi
  EXPECT_EQ(b[2].at, kStart);
  EXPECT_EQ(b[2].offset, 0x10);
}

TEST(CodeFlow, ARegisterSetBeforeAnotherCallStillHoldsItsValueAtTheCheck) {
  // gcc -O2 hoists the address: mov %rdi,%rbx; lea 0x8(%rbx),%r12; call func_entry;
  // mov %r12,%rdi; call check; mov %rbp,0x8(%rbx); ret
  const std::vector<unsigned char> code = {0x48, 0x89, 0xfb, 0x4c, 0x8d, 0x63, 0x08, 0xe8, 0x3b,
                                           0x00, 0x00, 0x00, 0x4c, 0x89, 0xe7, 0xe8, 0x3b, 0x00,
                                           0x00, 0x00, 0x48, 0x89, 0x6b, 0x08, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x14);
  ASSERT_GE(b.size(), 3u);
  EXPECT_EQ(b[2].reg, kRbx);
  EXPECT_EQ(b[2].at, kStart + 3);
  EXPECT_EQ(b[2].offset, 8);
  // %rbx (callee-saved) keeps it to the check, where the debug info may place the variable.
  EXPECT_EQ(b[2].until, kStart + 0xf);
  // %rdi, set at the first instruction, is clobbered by the first call.
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[3].reg, kRdi);
  EXPECT_EQ(b[3].until, kStart + 7);
}

TEST(CodeFlow, AnO0AccessReloadsThePointerFromACopyOfItsSlot) {
  // push %rbp; mov %rsp,%rbp (-O0 keeps the frame pointer);
  // mov -0x10(%rbp),%rax; mov %rax,-0x18(%rbp); mov %rax,%rdi; add $0x10,%rdi; call check;
  // mov -0x20(%rbp),%rcx; mov -0x18(%rbp),%rax; mov %rcx,0x10(%rax); ret
  const std::vector<unsigned char> code = {
      0x55, 0x48, 0x89, 0xe5, 0x48, 0x8b, 0x45, 0xf0, 0x48, 0x89, 0x45, 0xe8, 0x48,
      0x89, 0xc7, 0x48, 0x83, 0xc7, 0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x8b,
      0x4d, 0xe0, 0x48, 0x8b, 0x45, 0xe8, 0x48, 0x89, 0x48, 0x10, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x18);
  ASSERT_FALSE(b.empty());
  // The variable's own slot is the last base, 0x10 below the address.
  EXPECT_EQ(b.back().reg, -1);
  EXPECT_EQ(b.back().slot, -0x10);
  EXPECT_EQ(b.back().offset, 0x10);
  bool copy = false;
  for (const AddressBase& x : b) copy |= x.reg == -1 && x.slot == -0x18 && x.offset == 0x10;
  EXPECT_TRUE(copy) << "the slot the access reloads the pointer from";
}

TEST(CodeFlow, AnAddressLoadedFromAMemberEndsAtTheLoad) {
  // mov 0x8(%r13),%rbx; lea 0x10(%rbx),%rdi; call check; addq $1,0x10(%rbx); ret
  const std::vector<unsigned char> code = {0x49, 0x8b, 0x5d, 0x08, 0x48, 0x8d, 0x7b, 0x10,
                                           0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x83, 0x43,
                                           0x10, 0x01, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0xd);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.back().reg, 13);
  EXPECT_EQ(b.back().member, 8);
  EXPECT_EQ(b.back().offset, 0x10);
  EXPECT_EQ(b.back().at, kStart);
}

TEST(CodeFlow, PointersLoadedOneFromAnotherGoBackToTheFirstObject) {
  // s->shard->stats->misses: mov 0x10(%rdi),%rax; mov 0x8(%rax),%rax; lea 0x8(%rax),%rdi;
  // call check; addq $1,0x8(%rax); ret
  const std::vector<unsigned char> code = {0x48, 0x8b, 0x47, 0x10, 0x48, 0x8b, 0x40, 0x08,
                                           0x48, 0x8d, 0x78, 0x08, 0xe8, 0x3b, 0x00, 0x00,
                                           0x00, 0x48, 0x83, 0x40, 0x08, 0x01, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x11);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[2].reg, kRax);  // stats, loaded from the shard %rax points to
  EXPECT_EQ(b[2].member, 8);
  EXPECT_TRUE(b[2].more.empty());
  EXPECT_EQ(b[3].reg, kRdi);  // shard, loaded from the server %rdi points to; then stats
  EXPECT_EQ(b[3].at, kStart);
  EXPECT_EQ(b[3].member, 0x10);
  EXPECT_EQ(b[3].more, std::vector<int64_t>{8});
  EXPECT_EQ(b[3].offset, 8);
}

TEST(CodeFlow, APointerReloadedFromWhereItWasSpilled) {
  // mov 0x28(%rsp),%rax; lea 0x10(%rax),%rdi; call check; addq $1,0x10(%rax); ret
  const std::vector<unsigned char> code = {0x48, 0x8b, 0x44, 0x24, 0x28, 0x48, 0x8d, 0x78,
                                           0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x83,
                                           0x40, 0x10, 0x01, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0xe);
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(b.back().rsp);
  EXPECT_EQ(b.back().reg, -1);
  EXPECT_EQ(b.back().slot, 0x28);
  EXPECT_EQ(b.back().offset, 0x10);
  EXPECT_EQ(b.back().at, kStart);
}

TEST(CodeFlow, NoSpilledPointerPastAJumpTarget) {
  // The same with a jump landing between the reload and the access: the slot's value may
  // be another path's. mov 0x28(%rsp),%rax; jmp +0; lea 0x10(%rax),%rdi; call check; ...
  const std::vector<unsigned char> code = {0x48, 0x8b, 0x44, 0x24, 0x28, 0xeb, 0x00, 0x48,
                                           0x8d, 0x78, 0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00,
                                           0x48, 0x83, 0x40, 0x10, 0x01, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x10);
  ASSERT_FALSE(b.empty());
  for (const AddressBase& x : b) EXPECT_FALSE(x.rsp);
  EXPECT_EQ(b.back().reg, kRax);
}

TEST(CodeFlow, NoBasePastAJumpElsewhere) {
  // nginx's thread pool loop: an error path loads the log pointer into %rbx and jumps away;
  // the loop after it uses %rbx as the pool. mov 0x70(%rbx),%rbx; jmp out; lea 0x28(%rbx),%r12;
  // mov %r12,%rdi; call check; mov %r15,(%r12); out: ret
  const std::vector<unsigned char> code = {0x48, 0x8b, 0x5b, 0x70, 0xeb, 0x10, 0x4c, 0x8d,
                                           0x63, 0x28, 0x4c, 0x89, 0xe7, 0xe8, 0x3b, 0x00,
                                           0x00, 0x00, 0x4d, 0x89, 0x3c, 0x24, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x12);
  ASSERT_FALSE(b.empty());
  for (const AddressBase& x : b) EXPECT_EQ(x.member, -1) << "the other path's load";
  EXPECT_EQ(b.back().reg, kRbx);
  EXPECT_EQ(b.back().offset, 0x28);
  EXPECT_EQ(b.back().at, kStart + 6);
  // A jump to the very next instruction still falls through to it.
  std::vector<unsigned char> through = code;
  through[5] = 0x00;
  const std::vector<AddressBase> t = Bases(through, 0x12);
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.back().member, 0x70);
  EXPECT_EQ(t.back().at, kStart);
}

TEST(CodeFlow, RbpIsARegisterLikeAnotherWithoutAFramePointer) {
  // mov 0x8(%rbx),%rbp; lea 0x10(%rbp),%rdi; call check; addq $1,0x10(%rbp); ret
  const std::vector<unsigned char> body = {0x48, 0x8b, 0x6b, 0x08, 0x48, 0x8d, 0x7d,
                                           0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48,
                                           0x83, 0x45, 0x10, 0x01, 0xc3};
  const std::vector<AddressBase> b = Bases(body, 0xd);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.back().reg, kRbx);
  EXPECT_EQ(b.back().member, 8);
  EXPECT_EQ(b.back().offset, 0x10);
  // After push %rbp; mov %rsp,%rbp, %rbp is the frame: an address off it is a frame slot's.
  std::vector<unsigned char> framed = {0x55, 0x48, 0x89, 0xe5};
  framed.insert(framed.end(), body.begin(), body.end());
  EXPECT_TRUE(Bases(framed, 0xd + 4).empty());
}

TEST(CodeFlow, AnAddressFromAPointerKeptInAGlobal) {
  // mov g(%rip),%rbx; lea 0x10(%rbx),%rdi; call check; movq $1,0x10(%rbx); ret
  const std::vector<unsigned char> code = {0x48, 0x8b, 0x1d, 0x00, 0x02, 0x00, 0x00, 0x48, 0x8d,
                                           0x7b, 0x10, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0xc7,
                                           0x43, 0x10, 0x01, 0x00, 0x00, 0x00, 0xc3};
  const std::vector<AddressBase> b = Bases(code, 0x10);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.back().global, kStart + 7 + 0x200);
  EXPECT_EQ(b.back().offset, 0x10);
}

TEST(CodeFlow, NoBasesForACallThatChecksNoAccessAfterIt) {
  // mov %rbx,%rdi; mov %r12,%rsi; mov $0x18,%edx; call memcpy; mov %rbx,%rdi; call f; ret
  const std::vector<unsigned char> code = {0x48, 0x89, 0xdf, 0x4c, 0x89, 0xe6, 0xba, 0x18, 0x00,
                                           0x00, 0x00, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x89,
                                           0xdf, 0xe8, 0x3b, 0x00, 0x00, 0x00, 0xc3};
  EXPECT_TRUE(Bases(code, 0x10).empty());
}

TEST(CodeFlow, NoBasesWhenTheAccessIsElsewhere) {
  // mov %rdi,%rbx; lea 0x10(%rbx),%rdi; call check; movq $1,0x18(%rbx): not the address
  std::vector<unsigned char> code = {0x48, 0x89, 0xfb, 0x48, 0x8d, 0x7b, 0x10,
                                     0xe8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0xc7,
                                     0x43, 0x18, 0x01, 0x00, 0x00, 0x00, 0xc3};
  EXPECT_TRUE(Bases(code, 0xc).empty());
}

// Any bytes at all (data in code, a damaged binary): the walks end, and what they return
// points inside the bytes.
TEST(CodeFlow, RandomBytesNeverCrashAWalk) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::vector<unsigned char> code(1 + rng() % 200);
    for (unsigned char& b : code) b = static_cast<unsigned char>(rng());
    // Some rounds start with a real call, so the walks go further.
    if (round % 2 && code.size() > 8) {
      code[0] = 0xe8;
      code[1] = code[2] = code[3] = code[4] = 0;
    }
    const size_t ret = code.size() > 5 ? 5 : code.size();
    const std::optional<Store> s = PointerStore(code.data() + ret, code.size() - ret, kStart + ret);
    if (s && !s->rip) {
      EXPECT_GE(s->pc, kStart + ret);
      EXPECT_LT(s->pc, kStart + code.size());
      RegisterOrigin(code.data(), code.size(), kStart, s->pc, s->base);
    }
    for (int reg = 0; reg < 16; reg += 5) {
      RegisterOrigin(code.data(), code.size(), kStart, kStart + rng() % code.size(), reg);
      for (const AddressBase& b : AddressBases(code.data(), code.size(), kStart, kStart + ret, reg)) {
        EXPECT_LT(b.at, kStart + code.size());
      }
    }
  }
}

TEST(CodeFlow, HeldFollowsThePointerIntoCalleeSavedRegistersAcrossACall) {
  // clang -O1's `Slot* s = new Slot{}`: mov %rax,%r15; mov %rax,%r14; mov $0x40,%edx;
  // mov %r15,%rdi; xor %esi,%esi; call memset; lea 0x10(%rsp),%rdi; call check; ret
  const std::vector<unsigned char> code = {
      0x49, 0x89, 0xc7, 0x49, 0x89, 0xc6, 0xba, 0x40, 0x00, 0x00, 0x00, 0x4c, 0x89, 0xff, 0x31,
      0xf6, 0xe8, 0xac, 0xfd, 0xff, 0xff, 0x48, 0x8d, 0x7c, 0x24, 0x10, 0xe8, 0x12, 0xfe, 0xff,
      0xff, 0xc3};
  std::vector<Held> held;
  EXPECT_FALSE(PointerStore(code.data(), code.size(), kStart, nullptr, &held));
  auto at = [&](uint64_t offset) -> uint32_t {
    for (const Held& h : held) {
      if (h.pc == kStart + offset) return h.regs;
    }
    return 0;
  };
  constexpr int kR15 = 15;
  EXPECT_EQ(at(0), 1u << kRax);
  EXPECT_EQ(at(3), 1u << kRax | 1u << kR15);
  EXPECT_EQ(at(0x10), 1u << kRax | 1u << kR14 | 1u << kR15 | 1u << kRdi) << "memset's argument";
  EXPECT_EQ(at(0x15), 1u << kR14 | 1u << kR15) << "the call keeps only callee-saved registers";
  EXPECT_EQ(at(0x1a), 1u << kR14 | 1u << kR15) << "lea into %rdi: another address";
}

}  // namespace
}  // namespace threadlens::code_flow
