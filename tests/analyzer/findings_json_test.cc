// Findings JSON round trip and error handling, and golden text and JSON reports of one
// fixed trace (set THREADLENS_UPDATE_GOLDEN=1 to rewrite the golden files after a change
// that is meant to alter the output).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "test_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::testing {
namespace {

// A race, an ABBA cycle, a misuse and a hang in one trace.
const char kGoldenTrace[] =
    "T1|fork(T2)|1\n"
    "T1|fork(T3)|2\n"
    "T2|begin(transfer)|10\n"
    "T2|acq(accounts)|11\n"
    "T2|acq(ledger)|12\n"
    "T2|w(balance)|13\n"
    "T2|rel(ledger)|14\n"
    "T2|rel(accounts)|15\n"
    "T2|end|16\n"
    "T3|begin(audit)|20\n"
    "T3|r(balance)|25\n"
    "T3|acq(ledger)|21\n"
    "T3|acq(accounts)|22\n"
    "T3|rel(accounts)|23\n"
    "T3|rel(ledger)|24\n"
    "T3|rel(ledger)|26\n"
    "T3|end|27\n"
    "T1|join(T2)|5\n"
    "T1|join(T3)|6\n"
    "T1|acq(done)|3\n"
    "T1|rel(done)|4\n"
    "T1|wait(done)|4\n";

Report GoldenReport() {
  auto source = ParseStdText(kGoldenTrace, "golden.std");
  return Analyze(*source, TestOptions());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void CheckGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(THREADLENS_SOURCE_DIR) + "/tests/analyzer/golden/" + name;
  if (std::getenv("THREADLENS_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::string expected = ReadFile(path);
  ASSERT_FALSE(expected.empty()) << path << " missing; run with THREADLENS_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, expected) << "differs from " << path;
}

TEST(FindingsJson, GoldenTraceHasEveryKind) {
  Report r = GoldenReport();
  EXPECT_EQ(OfKind(r, "race").size(), 1u);
  EXPECT_EQ(OfKind(r, "lock-order").size(), 1u);
  EXPECT_EQ(OfKind(r, "misuse").size(), 1u);
  EXPECT_EQ(OfKind(r, "hang").size(), 1u);
  // Sorted by severity, then kind.
  EXPECT_EQ(r.findings.front().kind, "lock-order");
}

// With the timeline, so the golden covers every field.
TEST(FindingsJson, GoldenJson) {
  CheckGolden("report.json", ToJson(GoldenReport(), 2, /*timeline=*/true) + "\n");
}

TEST(FindingsJson, SpansOnlyWithTheTimeline) {
  Report r = GoldenReport();
  ASSERT_FALSE(r.spans.empty());
  EXPECT_FALSE(ToJsonValue(r).contains("spans"));
  EXPECT_EQ(ToJsonValue(r, true)["spans"].size(), r.spans.size());
}

TEST(FindingsJson, GoldenText) {
  CheckGolden("report.txt", reports::RenderText(GoldenReport()));
}

TEST(FindingsJson, GoldenTextColor) {
  reports::TextOptions o;
  o.color = true;
  std::string text = reports::RenderText(GoldenReport(), o);
  EXPECT_NE(text.find("\x1b[1;31mERROR\x1b[0m"), std::string::npos);
  EXPECT_EQ(reports::RenderText(GoldenReport()).find("\x1b["), std::string::npos);
}

TEST(FindingsJson, RoundTripKeepsEverything) {
  Report r = GoldenReport();
  std::string once = ToJson(r, 2, /*timeline=*/true);
  Report back = ReportFromJson(once);
  EXPECT_EQ(ToJson(back, 2, true), once);
  ASSERT_EQ(back.findings.size(), r.findings.size());
  EXPECT_EQ(back.findings[0].fingerprint, r.findings[0].fingerprint);
  EXPECT_EQ(back.findings[0].cycle.size(), 2u);
}

TEST(FindingsJson, SchemaAndSummary) {
  nlohmann::json j = ToJsonValue(GoldenReport());
  EXPECT_EQ(j["schema"], "threadlens.findings/2");
  EXPECT_EQ(j["summary"]["race"], 1);
  EXPECT_EQ(j["summary"]["lock-order"], 1);
  EXPECT_EQ(j["summary"]["deadlock"], 0);
  EXPECT_EQ(j["findings"][0]["kind"], "lock-order");
  EXPECT_EQ(j["findings"][0]["severity"], "error");
}

TEST(FindingsJson, BadInputIsAnError) {
  for (const char* text : {"{", "[]", R"({"schema": "threadlens.findings/3"})",
                           R"({"schema": "something-else"})",
                           R"({"schema": "threadlens.findings/1", "findings": 3})"}) {
    try {
      ReportFromJson(text, "baseline.json");
      ADD_FAILURE() << "accepted " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), kExitBadInput);
      EXPECT_NE(std::string(e.what()).find("baseline.json"), std::string::npos);
    }
  }
}

TEST(TextReport, SummaryLineCountsByKind) {
  EXPECT_EQ(reports::SummaryLine(GoldenReport()),
            "SUMMARY: 1 race, 1 lock-order, 0 deadlock, 0 self-deadlock, 1 hang, 1 misuse, "
            "0 contention (4 errors, 0 warnings, 0 notes)");
}

TEST(TextReport, LockdepScenarioColumns) {
  Report r = GoldenReport();
  std::string text = reports::FindingText(*OfKind(r, "lock-order")[0], r);
  EXPECT_NE(text.find("Possible unsafe locking scenario"), std::string::npos);
  EXPECT_NE(text.find("*** DEADLOCK ***"), std::string::npos);
  // T2's first lock sits in the first column, T3's in the second.
  EXPECT_NE(text.find("\n        lock(accounts);\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lock(ledger);\n"), std::string::npos);
}

// Witnesses are written as text after the report is dumped: the result must be the library's
// own dump of the same values, byte for byte, whatever the strings hold (quotes, control
// characters, invalid UTF-8, text that looks like the placeholder) and in both layouts.
TEST(FindingsJson, WitnessTextIsTheLibrarysOwnDump) {
  Report r;
  r.trace = "t.tltrace";
  const std::vector<std::string> hostile = {
      "plain", "qu\"ote", "back\\slash", "tab\there", "nl\nx", "\x01witness 0",
      "caf\xc3\xa9", "bad\xff\xfe", "<script>", "", "\x7f", "\xe2\x82"};
  for (int k = 0; k < 4; ++k) {
    Finding f;
    f.kind = "race";
    f.title = k == 2 ? "\"witness\": \"\\u0001witness 1\"" : "race " + std::to_string(k);
    f.predicted = true;
    f.relation = "sync-preserving";
    for (size_t i = 0; k != 1 && i < hostile.size(); ++i) {  // finding 1 has no witness
      WitnessStep w;
      w.thread = hostile[(i + k) % hostile.size()];
      w.tid = static_cast<uint32_t>(i + 1);
      w.op = hostile[(i + 2 * k + 1) % hostile.size()];
      w.object = hostile[(i + 3) % hostile.size()];
      w.site = hostile[(i * 5 + k) % hostile.size()];
      w.event_index = (uint64_t{1} << 40) + i;
      f.witness.push_back(w);
    }
    if (k == 3) f.witness_omitted = 17;
    r.findings.push_back(f);
  }
  for (int indent : {2, -1, 0, 4}) {
    const std::string expected =
        ToJsonValue(r).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(ToJson(r, indent), expected) << "indent " << indent;
  }
}

}  // namespace
}  // namespace threadlens::testing
