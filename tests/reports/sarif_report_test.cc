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

TEST(Sarif, ConfirmedFindingsSayItInTheirProperties) {
  auto samples = AllSamples();
  ASSERT_FALSE(samples[0].report.findings.empty());
  samples[0].report.findings[0].confirmed = true;
  samples[0].report.findings[0].confirmed_trace = "x.confirm.tltrace";
  json doc = reports::ToSarif(samples, Options());
  auto& first = doc["runs"][0]["results"][0];
  EXPECT_EQ(first["properties"]["confirmed"], true);
  EXPECT_EQ(first["properties"]["confirmedTrace"], "x.confirm.tltrace");
  EXPECT_FALSE(doc["runs"][0]["results"][1]["properties"].contains("confirmed"));
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

namespace threadlens {
namespace {

// Every step of a result's code flow in execution order: {thread flow id, message, kind}.
std::vector<std::vector<std::string>> FlowSteps(const json& result) {
  std::vector<std::pair<int, std::vector<std::string>>> steps;
  for (auto& tf : result["codeFlows"][0]["threadFlows"]) {
    for (auto& l : tf["locations"]) {
      steps.push_back({l["executionOrder"].get<int>(),
                       {tf["id"].get<std::string>(), l["location"]["message"]["text"],
                        l["kinds"][0]}});
    }
  }
  std::sort(steps.begin(), steps.end());
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].first, static_cast<int>(i + 1)) << "execution orders run 1, 2, 3...";
    out.push_back(steps[i].second);
  }
  return out;
}

using Steps = std::vector<std::vector<std::string>>;

TEST(SarifCodeFlows, DeadlockSaysWhichLockEachThreadHoldsAndRequests) {
  json doc = reports::ToSarif({{"deadlock", DeadlockReport()}}, Options());
  // The sides repeat the cycle's requests: each event is one step, not two.
  EXPECT_EQ(FlowSteps(doc["runs"][0]["results"][0]),
            (Steps{{"Transfer", "Transfer acquires accounts_mu", "acquire"},
                   {"Audit", "Audit acquires audit_mu", "acquire"},
                   {"Transfer",
                    "Transfer requests audit_mu while holding accounts_mu (held by Audit)",
                    "acquire"},
                   {"Audit", "Audit requests accounts_mu while holding audit_mu (held by Transfer)",
                    "acquire"}}));
}

TEST(SarifCodeFlows, LockOrderSaysWhatWasTakenUnderWhat) {
  json doc = reports::ToSarif({{"lock-order", LockOrderReport()}}, Options());
  EXPECT_EQ(FlowSteps(doc["runs"][0]["results"][0]),
            (Steps{{"Transfer", "Transfer acquires accounts_mu", "acquire"},
                   {"Transfer", "Transfer acquires audit_mu while holding accounts_mu", "acquire"},
                   {"Audit", "Audit acquires audit_mu", "acquire"},
                   {"Audit", "Audit acquires accounts_mu while holding audit_mu", "acquire"}}));
}

TEST(SarifCodeFlows, JoinsAreLabelledAsJoins) {
  // main holds mu and joins Worker; Worker waits for mu.
  Report r = DeadlockReport();
  Finding& f = r.findings[0];
  f.threads = {"main", "Worker"};
  f.locks = {"mu"};
  // As the analysis makes them: a join takes no lock; the request's holder took mu.
  CycleEdge joins{"main", "Worker", "main", 1, Access{},
                  Site("main", 1, "join", "Worker", "main", 7, 20, {"mu"})};
  CycleEdge waits{"Worker", "main", "Worker", 2, Site("main", 1, "acquire", "mu", "main", 5, 10),
                  Site("Worker", 2, "request", "mu", "Work()", 12, 30)};
  f.cycle = {joins, waits};
  f.accesses = {joins.to_site, waits.to_site};
  json doc = reports::ToSarif({{"join", r}}, Options());
  EXPECT_EQ(FlowSteps(doc["runs"][0]["results"][0]),
            (Steps{{"main", "main acquires mu", "acquire"},
                   {"main", "main joins Worker while holding mu (waits for it to end)", "resource"},
                   {"Worker", "Worker requests mu (held by main)", "acquire"}}));

  Report hang = HangReport();
  hang.findings[0].subkind = "join";
  hang.findings[0].accesses[0].op = "join";
  hang.findings[0].accesses[0].object = "Worker";
  json h = reports::ToSarif({{"hang", hang}}, Options());
  EXPECT_EQ(FlowSteps(h["runs"][0]["results"][0]),
            (Steps{{"Consumer", "Consumer joins Worker (waits for it to end)", "resource"}}));
}

TEST(SarifCodeFlows, AWaitForAChildProcessSaysWhoseEndAndTheHoldersAcquisition) {
  // pid 10 T1 holds the file lock and waits for pid 11 to end; pid 11 T1 waits for the lock.
  Report r = DeadlockReport();
  Finding& f = r.findings[0];
  const std::string parent = "pid 10 T1", child = "pid 11 T1", lock = "file lock /tmp/a.lock";
  f.threads = {parent, child};
  f.locks = {lock};
  CycleEdge waits{parent, child, parent, 1, Access{},
                  Site(parent, 1, "wait-process", "pid 11", "main", 7, 20, {lock})};
  CycleEdge requests{child, parent, child, 2, Site(parent, 1, "acquire", lock, "main", 5, 10),
                     Site(child, 2, "request", lock, "main", 12, 30)};
  f.cycle = {waits, requests};
  f.accesses = {waits.to_site, requests.to_site};
  json doc = reports::ToSarif({{"wait", r}}, Options());
  EXPECT_EQ(FlowSteps(doc["runs"][0]["results"][0]),
            (Steps{{parent, parent + " acquires " + lock, "acquire"},
                   {parent, parent + " waits for pid 11 to end while holding " + lock + " (" +
                                child + " is stuck)",
                    "resource"},
                   {child, child + " requests " + lock + " (held by " + parent + ")", "acquire"}}));
}

}  // namespace
}  // namespace threadlens
