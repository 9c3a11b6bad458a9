// The shadow's pool of extra notes (shadow_note_pool.h), against a naive model: random takes
// and gives of halves and pairs, and halves turned into pairs. No two live notes share
// memory, a note keeps what was written in it, and the pool makes no more entries than the
// live notes ever needed at once.
#include "shadow_note_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace threadlens::analysis {
namespace {

struct Live {
  bool pair;
  uint32_t id;  // a half's id, or a pair's entry
  uint64_t tag;  // written in its notes' index
};

std::vector<CellNote*> NotesOf(NotePool& pool, const Live& l) {
  if (l.pair) return {&pool.At(l.id)->n[0], &pool.At(l.id)->n[1]};
  return {&pool.Half(l.id)};
}

TEST(NotePool, LiveNotesNeverShareMemoryAndKeepTheirContents) {
  std::mt19937 rng(20261207);
  HugeArena arena;
  NotePool pool;
  std::vector<Live> live;
  uint64_t next_tag = 1;
  size_t peak = 0, in_place = 0, moved = 0;
  for (int step = 0; step < 200000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 4 || live.empty()) {
      Live l{op == 3, op == 3 ? pool.TakePair(arena) : pool.TakeHalf(arena), next_tag++};
      for (CellNote* n : NotesOf(pool, l)) n->index = l.tag;
      live.push_back(l);
    } else if (op < 8) {
      const size_t k = rng() % live.size();
      if (live[k].pair) {
        pool.GivePair(live[k].id);
      } else {
        pool.GiveHalf(live[k].id);
      }
      live[k] = live.back();
      live.pop_back();
    } else {
      // A half's granule takes a third cell: its note goes first in a pair.
      const size_t k = rng() % live.size();
      if (live[k].pair) continue;
      const uint32_t h = live[k].id;
      uint32_t e = pool.PairInPlace(h);
      if (e == ~0u) {
        e = pool.TakePair(arena);
        pool.At(e)->n[0] = pool.Half(h);
        pool.GiveHalf(h);
        ++moved;
      } else {
        ++in_place;
      }
      ASSERT_EQ(pool.At(e)->n[0].index, live[k].tag) << "step " << step;
      pool.At(e)->n[1].index = live[k].tag;
      live[k] = {true, e, live[k].tag};
    }
    // Every live note still holds its tag, and no byte of the pool is two notes'.
    std::set<const CellNote*> seen;
    for (const Live& l : live) {
      for (CellNote* n : NotesOf(pool, l)) {
        ASSERT_EQ(n->index, l.tag) << "step " << step;
        ASSERT_TRUE(seen.insert(n).second) << "step " << step;
      }
    }
    size_t units = 0;
    for (const Live& l : live) units += l.pair ? 2 : 1;
    peak = std::max(peak, units);
    // Each entry holds two notes: at most one entry per live allocation, however they were
    // freed and taken (halves left alone in their entries waste at most half of it).
    ASSERT_LE(pool.entries(), std::max<size_t>(peak, 1)) << "step " << step;
  }
  EXPECT_GT(in_place, 1000u);
  EXPECT_GT(moved, 1000u);
}

TEST(NotePool, EntriesFreedAsHalvesServePairs) {
  HugeArena arena;
  NotePool pool;
  std::vector<uint32_t> halves;
  for (int i = 0; i < 1000; ++i) halves.push_back(pool.TakeHalf(arena));
  EXPECT_EQ(pool.entries(), 500u);  // two halves to an entry
  for (uint32_t h : halves) pool.GiveHalf(h);
  for (int i = 0; i < 500; ++i) pool.TakePair(arena);
  EXPECT_EQ(pool.entries(), 500u);  // the same entries, whole again
  pool.TakePair(arena);
  EXPECT_EQ(pool.entries(), 501u);
}

}  // namespace
}  // namespace threadlens::analysis
