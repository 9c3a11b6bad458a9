// SARIF output: valid against the official 2.1.0 schema, relative URIs, fingerprints and
// thread flows in execution order.
#include "threadlens/reports/sarif_report.h"

#include <gtest/gtest.h>

#include "sample_reports.h"
#include "test_util.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;
using nlohmann::json;

std::vector<reports::NamedReport> AllSamples() {
  return {{"deadlock", DeadlockReport()},
          {"lock-order", LockOrderReport()},
          {"race", RaceReport()},
          {"hang", HangReport()},
          {"contention", ContentionReport()},
          {"hostile", HostileReport()}};
}

reports::SarifOptions Options() {
  reports::SarifOptions o;
  o.source_root = std::string(THREADLENS_SOURCE_DIR) + "/tests";
  return o;
}

TEST(Sarif, ValidAgainstTheOfficialSchema) {
  TempDir dir;
  reports::WriteSarif(dir / "out.sarif", AllSamples(), Options());
  std::string schema =
      std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/testdata/sarif-schema-2.1.0.json";
  std::string script =
      "import json,sys,jsonschema\n"
      "schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n"
      "cls=jsonschema.validators.validator_for(schema)\n"
      "errs=sorted(cls(schema).iter_errors(doc), key=str)\n"
      "[print(e.message, list(e.path)) for e in errs[:10]]\n"
      "print('results', len(doc['runs'][0]['results']))\n"
      "sys.exit(1 if errs else 0)\n";
  WriteFile(dir / "validate.py", script);
  auto r = RunCommand("python3 " + Quote(dir / "validate.py") + " " + Quote(schema) + " " +
                      Quote(dir / "out.sarif"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("results 6"), std::string::npos)
      << r.output;  // 7 findings, contention left out
}

TEST(Sarif, SchemaCheckCatchesABrokenDocument) {
  // The validation above must be able to fail: drop a required property and expect a no.
  TempDir dir;
  json doc = reports::ToSarif(AllSamples(), Options());
  doc["runs"][0]["results"][0].erase("message");
  WriteFile(dir / "bad.sarif", doc.dump());
  std::string schema =
      std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/testdata/sarif-schema-2.1.0.json";
  auto r = RunCommand(
      "python3 -c " +
      Quote("import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
            "jsonschema.validators.validator_for(s)(s).validate(json.load(open(sys.argv[2])))") +
      " " + Quote(schema) + " " + Quote(dir / "bad.sarif"));
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST(Sarif, RulesResultsAndLocations) {
  json doc = reports::ToSarif(AllSamples(), Options());
  auto& run = doc["runs"][0];
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_GE(run["tool"]["driver"]["rules"].size(), 6u);
  for (auto& rule : run["tool"]["driver"]["rules"]) {
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
  }
  auto& race = run["results"][2];
  EXPECT_EQ(race["ruleId"], "race");
  EXPECT_EQ(run["tool"]["driver"]["rules"][race["ruleIndex"].get<int>()]["id"], "race");
  EXPECT_EQ(race["level"], "error");
  auto& phys = race["locations"][0]["physicalLocation"];
  EXPECT_EQ(phys["artifactLocation"]["uri"], "reports/testdata/bank.cc");
  EXPECT_EQ(phys["artifactLocation"]["uriBaseId"], "SRCROOT");
  EXPECT_EQ(phys["region"]["startLine"], 20);
  EXPECT_EQ(race["partialFingerprints"]["primaryLocationLineHash"], "fedcba9876543210");
  std::string root = run["originalUriBaseIds"]["SRCROOT"]["uri"];
  EXPECT_EQ(root.rfind("file:///", 0), 0u);
  EXPECT_EQ(root.back(), '/');
}

TEST(Sarif, ThreadFlowsFollowTheInterleaving) {
  json doc = reports::ToSarif({{"lock-order", LockOrderReport()}}, Options());
  auto& flows = doc["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"];
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0]["id"], "Transfer");
  EXPECT_EQ(flows[1]["id"], "Audit");
  std::vector<int> orders;
  for (auto& f : flows) {
    for (auto& l : f["locations"]) {
      orders.push_back(l["executionOrder"]);
      EXPECT_EQ(l["kinds"][0], "acquire");
    }
  }
  EXPECT_EQ(orders, (std::vector<int>{1, 2, 3, 4}));
  json race = reports::ToSarif({{"race", RaceReport()}}, Options());
  auto& rf = race["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"];
  ASSERT_EQ(rf.size(), 2u);
  EXPECT_EQ(rf[0]["locations"][0]["kinds"][0], "memory");
  EXPECT_EQ(rf[1]["locations"][0]["executionOrder"], 2);
}

TEST(Sarif, FilesOutsideTheRootStayAbsolute) {
  Report r = RaceReport();
  r.findings[0].accesses[0].stack[0].file = "/opt/vendor/c++/my file.h";
  json doc = reports::ToSarif({{"race", r}}, Options());
  EXPECT_EQ(
      doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "file:///opt/vendor/c%2B%2B/my%20file.h");
}

}  // namespace
}  // namespace threadlens

namespace threadlens {
namespace {
TEST(Sarif, PrimaryLocationSkipsSystemHeaders) {
  Report r = RaceReport();
  auto& stack = r.findings[0].accesses[0].stack;
  stack.insert(stack.begin(),
               Frame{"__gthread_mutex_lock",
                     "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749, 0, ""});
  json doc = reports::ToSarif({{"race", r}}, Options());
  auto& phys = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(phys["artifactLocation"]["uri"], "reports/testdata/bank.cc");
  EXPECT_EQ(phys["region"]["startLine"], 20);
}
}  // namespace
}  // namespace threadlens
