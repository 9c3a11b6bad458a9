// A predicted finding in every output that carries its witness: the JSON (and back), SARIF's
// second code flow, the text report's schedule table.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_util.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/html_report.h"
#include "threadlens/reports/sarif_report.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::testing {
namespace {

const char* kAbBa = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|acq(L2)|11
T2|rel(L2)|13
T2|rel(L1)|14
T3|acq(L2)|20
T3|acq(L1)|21
T3|rel(L1)|22
T3|rel(L2)|23
)";

Report Predicted() {
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  return AnalyzeStd(kAbBa, o);
}

TEST(PredictOutput, JsonCarriesTheWitnessAndReadsItBack) {
  const Report r = Predicted();
  const auto j = ToJsonValue(r);
  const auto& f = j["findings"][0];
  EXPECT_EQ(f["predicted"], true);
  EXPECT_EQ(f["relation"], "sync-preserving");
  ASSERT_EQ(f["witness"].size(), 6u);
  EXPECT_EQ(f["witness"][4]["op"], "request");
  EXPECT_EQ(f["witness"][4]["thread"], "T2");
  EXPECT_EQ(f["witness"][4]["object"], "L2");
  EXPECT_EQ(f["witness"][4]["site"], "test.std:11");
  EXPECT_FALSE(f.contains("witness_omitted"));
  const Report back = ReportFromJson(ToJson(r));
  ASSERT_EQ(back.findings.size(), 1u);
  const Finding& g = back.findings[0];
  ASSERT_TRUE(g.predicted && *g.predicted);
  ASSERT_EQ(g.witness.size(), r.findings[0].witness.size());
  for (size_t i = 0; i < g.witness.size(); ++i) {
    EXPECT_EQ(g.witness[i].op, r.findings[0].witness[i].op);
    EXPECT_EQ(g.witness[i].event_index, r.findings[0].witness[i].event_index);
  }
  // A plain report has none of the fields.
  const auto plain = ToJsonValue(AnalyzeStd(kAbBa, TestOptions()));
  EXPECT_FALSE(plain["findings"][0].contains("predicted"));
  EXPECT_FALSE(plain["findings"][0].contains("witness"));
}

TEST(PredictOutput, ACutWitnessSaysHowManyStepsAreMissing) {
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  o.max_witness_steps = 3;
  const Report r = AnalyzeStd(kAbBa, o);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.witness.size(), 5u);  // the last 3 steps, then the 2 requests
  EXPECT_EQ(f.witness_omitted, 1u);
  EXPECT_EQ(ToJsonValue(f)["witness_omitted"], 1);
}

TEST(PredictOutput, SarifHasTheScheduleAsASecondCodeFlow) {
  const auto sarif = reports::ToSarif({{"abba", Predicted()}});
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["properties"]["predicted"], true);
  ASSERT_EQ(result["codeFlows"].size(), 2u);
  const auto& flows = result["codeFlows"][1]["threadFlows"];
  ASSERT_EQ(flows.size(), 3u);  // T1, T2, T3
  EXPECT_EQ(flows[1]["id"], "T2");
  const auto& last = flows[1]["locations"].back();
  EXPECT_EQ(last["location"]["message"]["text"], "T2 request L2 (blocks) at test.std:11");
  EXPECT_EQ(last["executionOrder"], 5);
  // Still valid SARIF 2.1.0 (the official schema, as the reports tests check it).
  const auto dir = std::filesystem::temp_directory_path();
  const auto doc = dir / "predict_output_test.sarif";
  std::ofstream(doc) << sarif.dump();
  const std::string schema =
      std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/testdata/sarif-schema-2.1.0.json";
  const std::string cmd =
      "python3 -c 'import json,sys,jsonschema; "
      "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \"" +
      schema + "\" \"" + doc.string() + "\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove(doc);
}

TEST(PredictOutput, TextPrintsTheScheduleAsATable) {
  const std::string text = reports::RenderText(Predicted());
  EXPECT_NE(text.find("ERROR: predicted deadlock: L1 -> L2 -> L1 (threads T2, T3)"),
            std::string::npos);
  const std::string table =
      "  Predicted schedule (sync-preserving reordering of this run, 6 steps):\n"
      "\n"
      "        T1                   T2                   T3\n"
      "        ----                 ----                 ----\n"
      "        create(T2)\n"
      "        create(T3)\n"
      "                             acquire(L1)\n"
      "                                                  acquire(L2)\n"
      "                             request(L2) blocks\n"
      "                                                  request(L1) blocks\n"
      "\n"
      "   *** DEADLOCK ***\n";
  EXPECT_NE(text.find(table), std::string::npos) << text;
  EXPECT_EQ(text.find("Possible unsafe locking scenario"), std::string::npos);
}

TEST(PredictOutput, HtmlShowsABadgeAndTheSchedule) {
  const std::string html = reports::HtmlReport({{"abba", Predicted()}});
  EXPECT_NE(html.find("badge predicted"), std::string::npos);
  EXPECT_NE(html.find("<h4>Predicted schedule (sync-preserving reordering of this run)</h4>"),
            std::string::npos);
  size_t blocked = 0;
  for (size_t p = html.find("*** blocked ***"); p != std::string::npos;
       p = html.find("*** blocked ***", p + 1)) {
    ++blocked;
  }
  EXPECT_EQ(blocked, 2u);
  // The schedule's own timeline: a step per event (the two creations, the nests, the two
  // requests), nothing moved (a sync-preserving schedule keeps the trace's order), two final.
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = html.find(what); p != std::string::npos; p = html.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<div class=\"witness-timeline\">"), 1u);
  EXPECT_EQ(count("<rect class=\"step"), 6u);
  EXPECT_EQ(count("<rect class=\"step moved"), 0u);
  EXPECT_EQ(count("<rect class=\"step final\""), 2u);
  // Without prediction, lockdep's scenario as before.
  const std::string plain = reports::HtmlReport({{"abba", AnalyzeStd(kAbBa, TestOptions())}});
  EXPECT_EQ(plain.find("badge predicted"), std::string::npos);
  EXPECT_NE(plain.find("<h4>Scenario</h4>"), std::string::npos);
}

// A lost notification's schedule moves the notifier's section ahead of the waiter's: those
// steps are marked moved in the timeline, and the two blocked threads are final.
TEST(PredictOutput, HtmlWitnessTimelineMarksMovedSteps) {
  const char* lost = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|rel(L1)|11
T2|wait(L1)|11
T3|acq(L1)|20
T3|notify(L1)|21
T3|rel(L1)|22
T2|acq(L1)|12
T2|rel(L1)|13
T1|join(T2)|3
T1|join(T3)|4
)";
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  const std::string html = reports::HtmlReport({{"lost", AnalyzeStd(lost, o)}});
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t p = html.find(what); p != std::string::npos; p = html.find(what, p + 1)) ++n;
    return n;
  };
  // create, create, T3's acquire, notify, release (moved: before T2's earlier section),
  // T2's acquire and release, then T1's join and T2's wait, blocked.
  EXPECT_EQ(count("<rect class=\"step"), 9u);
  EXPECT_EQ(count("<rect class=\"step moved\""), 3u);
  EXPECT_EQ(count("<rect class=\"step final\""), 2u);
  EXPECT_NE(html.find("moved: 3 steps run before events that preceded them"), std::string::npos);
}

}  // namespace
}  // namespace threadlens::testing
