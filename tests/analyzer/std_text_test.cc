// STD text import (plain RAPID and the SPD dialect), its errors, and export back to text.
#include <gtest/gtest.h>

#include <sstream>

#include "test_util.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

std::vector<StreamEvent> ReadAll(EventSource& s) {
  std::vector<StreamEvent> out;
  StreamEvent e;
  while (s.Next(e)) out.push_back(e);
  return out;
}

std::string Kinds(const std::vector<StreamEvent>& events, bool skip_names = true) {
  std::string out;
  for (const StreamEvent& e : events) {
    if (skip_names && (e.kind() == EventKind::kNameLock || e.kind() == EventKind::kNameVariable ||
                       e.kind() == EventKind::kNameThread || e.kind() == EventKind::kLockCreate)) {
      continue;
    }
    if (!out.empty()) out += " ";
    out += "T" + std::to_string(e.tid) + ":" + trace::EventKindName(e.kind());
  }
  return out;
}

TEST(StdText, PlainRapidLines) {
  auto s = ParseStdText("T1|fork(T2)|5\nT2|acq(L1)|42\nT2|w(V3)|43\nT2|rel(L1)|44\n"
                        "T1|join(T2)|6\n",
                        "plain.std");
  auto ev = ReadAll(*s);
  EXPECT_EQ(Kinds(ev),
            "T1:thread_start T1:thread_create T2:thread_start T2:lock_acquired T2:write "
            "T2:lock_release T2:thread_exit T1:join_begin T1:join");
  // Operands keep their numbers; sites become "file:site" strings.
  for (const StreamEvent& e : ev) {
    if (e.kind() == EventKind::kLockAcquired) {
      EXPECT_EQ(e.ev.obj, 1u);
      EXPECT_EQ(e.ev.aux16, 1u);
      ASSERT_TRUE(e.ev.site & trace::kSiteIsString);
      EXPECT_EQ(s->String(static_cast<uint32_t>(e.ev.site)), "plain.std:42");
      EXPECT_NE(e.ev.seq, 0u);
    }
    if (e.kind() == EventKind::kWrite) EXPECT_EQ(e.ev.obj, 3u);
    if (e.kind() == EventKind::kThreadCreate) EXPECT_EQ(e.ev.obj, 2u);
  }
}

TEST(StdText, SpdDialectWaitFollowsRelease) {
  auto s = ParseStdText("T9|fork(11)|1\nT11|req(8)|10\nT11|acq(8)|10\nT11|rel(8)|12\n"
                        "T11|wait(8)|12\nT9|notify(8)|2\nT11|req(8)|13\nT11|acq(8)|13\n"
                        "T11|rel(8)|14\n",
                        "spd.std");
  auto ev = ReadAll(*s);
  EXPECT_EQ(Kinds(ev),
            "T9:thread_start T9:thread_create T11:thread_start T11:lock_request "
            "T11:lock_acquired T11:cond_wait_begin T11:lock_release T9:cond_signal "
            "T11:cond_wait_end T11:lock_request T11:lock_acquired T11:lock_release");
  int via = 0;
  for (const StreamEvent& e : ev) via += (e.ev.flags & trace::kViaCondWait) ? 1 : 0;
  EXPECT_EQ(via, 3);  // the wait's release, and the re-request and re-acquisition
}

TEST(StdText, NamesForNumericAndSymbolicOperands) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|w(4294967300)|2\nT2|w(4294967300)|3\n"
                        "main|fork(worker)|4\nmain|w(total)|5\nworker|w(total)|6\n");
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 2u);
  EXPECT_EQ(races[0]->variables, std::vector<std::string>{"V4294967300"});
  EXPECT_EQ(races[1]->variables, std::vector<std::string>{"total"});
  EXPECT_EQ(races[1]->threads, (std::vector<std::string>{"main", "worker"}));
}

TEST(StdText, BeginEndMakeStacks) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|begin(Producer)|2\nT1|w(x)|3\nT1|end|4\n"
                        "T2|w(x)|5\n");
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  ASSERT_EQ(races[0]->accesses[0].stack.size(), 2u);
  EXPECT_EQ(races[0]->accesses[0].stack[1].function, "Producer");
  EXPECT_EQ(races[0]->accesses[1].stack.size(), 1u);
}

TEST(StdText, ErrorsNameTheLine) {
  const char* bad[] = {"T1|acq(L1)|1\nT1|frobnicate(L1)|2\n", "T1|acq(L1)|1\nnonsense\n",
                       "T1|acq(L1|1\nT1|acq(L1)|2\n", "T1|acq()|1\n"};
  const int lines[] = {2, 2, 1, 1};
  for (int i = 0; i < 4; ++i) {
    try {
      auto s = ParseStdText(bad[i], "bad.std");
      ReadAll(*s);
      ADD_FAILURE() << "accepted: " << bad[i];
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), kExitBadInput);
      EXPECT_NE(std::string(e.what()).find("bad.std:" + std::to_string(lines[i]) + ":"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(StdText, CommentsBlankLinesAndCrlf) {
  auto s = ParseStdText("# a comment\r\n\r\nT1|w(x)|1\r\n  T1 | r(x) | 2  \n", "crlf.std");
  EXPECT_EQ(Kinds(ReadAll(*s)), "T1:thread_start T1:write T1:read");
}

TEST(StdText, MissingFileIsBadInput) {
  try {
    OpenTrace("/nonexistent/trace.std");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
  }
}

TEST(StdText, ExportRoundTrips) {
  const std::string text =
      "T9|fork(T11)|1\nT11|req(L8)|10\nT11|acq(L8)|10\nT11|r(V4)|11\nT11|rel(L8)|12\n"
      "T11|wait(L8)|12\nT9|acq(L8)|2\nT9|notify(L8)|3\nT9|rel(L8)|4\nT11|req(L8)|13\n"
      "T11|acq(L8)|13\nT11|w(V4)|14\nT11|rel(L8)|15\nT11|begin|16\nT11|end|0\n"
      "T9|join(T11)|5\n";
  auto s = ParseStdText(text, "rt.std");
  std::ostringstream out;
  StdWriteStats stats = WriteStdTrace(*s, out);
  EXPECT_EQ(out.str(), text);
  EXPECT_EQ(stats.lines, 16u);
  // Plain RAPID leaves out req, wait and notify.
  auto s2 = ParseStdText(text, "rt.std");
  std::ostringstream plain;
  WriteStdTrace(*s2, plain, /*plain=*/true);
  EXPECT_EQ(plain.str().find("req("), std::string::npos);
  EXPECT_EQ(plain.str().find("wait("), std::string::npos);
  EXPECT_NE(plain.str().find("T11|acq(L8)|13"), std::string::npos);
}

TEST(StdText, ExportOfEventsUsesNamesAndDropsAtomics) {
  VectorSource s;
  s.Add(1, EventKind::kNameThread, 1, 0, 0, 0, s.Str("main"));
  s.Add(1, EventKind::kNameLock, 0x10, 0, 0, 0, s.Str("queue_lock"));
  s.Add(1, EventKind::kLockAcquired, 0x10, 0, 1, s.Site("q.cc:7"));
  s.Add(1, EventKind::kAtomicStore, 0x20, 3, 4);
  s.Add(1, EventKind::kWrite, 0x30, 0, 4, 0x401000);
  s.Add(1, EventKind::kLockRelease, 0x10, 0, 0, s.Site("q.cc:9"));
  std::ostringstream out;
  StdWriteStats stats = WriteStdTrace(s, out);
  EXPECT_EQ(out.str(), "main|acq(queue_lock)|7\nmain|w(V48)|4198400\nmain|rel(queue_lock)|9\n");
  EXPECT_EQ(stats.dropped, 1u);
}

}  // namespace
}  // namespace threadlens::testing
