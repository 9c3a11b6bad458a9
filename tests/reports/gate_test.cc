// The gate of `threadlens check`: fail-on sets, baselines and suppressions.
#include "threadlens/reports/gate.h"

#include <gtest/gtest.h>

#include "sample_reports.h"
#include "test_util.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;
using reports::EvaluateGate;
using reports::GateOptions;
using reports::Suppressions;
using reports::TemplateMatch;

std::vector<reports::NamedReport> Samples() {
  return {
      {"deadlock", DeadlockReport()}, {"race", RaceReport()}, {"contention", ContentionReport()}};
}

TEST(Gate, TemplateMatchLikeTsan) {
  EXPECT_TRUE(TemplateMatch("Deposit", "Deposit(long)"));
  EXPECT_TRUE(TemplateMatch("posit", "Deposit(long)"));
  EXPECT_TRUE(TemplateMatch("^Depo*long", "Deposit(long)"));
  EXPECT_FALSE(TemplateMatch("^posit", "Deposit(long)"));
  EXPECT_TRUE(TemplateMatch("long)$", "Deposit(long)"));
  EXPECT_FALSE(TemplateMatch("Deposit$", "Deposit(long)"));
  EXPECT_TRUE(TemplateMatch("^Deposit(long)$", "Deposit(long)"));
  EXPECT_TRUE(TemplateMatch("a*c*e", "xxabcdefxx"));
  EXPECT_FALSE(TemplateMatch("a*c*e", "xxaxxcxx"));
}

TEST(Gate, DefaultFailsOnErrors) {
  auto g = EvaluateGate(Samples(), GateOptions{});
  // deadlock + race + the lock-order cycle inside the contention sample; contention is a note.
  EXPECT_EQ(g.failing, 3u);
  EXPECT_EQ(g.passing, 2u);
  EXPECT_TRUE(g.fails());
}

TEST(Gate, FailOnKinds) {
  GateOptions o;
  o.fail_on = reports::ParseFailOn("race, hang");
  auto g = EvaluateGate(Samples(), o);
  EXPECT_EQ(g.failing, 1u);
  o.fail_on = reports::ParseFailOn("note");
  EXPECT_EQ(EvaluateGate(Samples(), o).failing, 2u);
  o.fail_on = reports::ParseFailOn("all");
  EXPECT_EQ(EvaluateGate(Samples(), o).failing, 5u);
  o.fail_on = reports::ParseFailOn("none");
  EXPECT_FALSE(EvaluateGate(Samples(), o).fails());
  EXPECT_THROW(reports::ParseFailOn("races"), Error);
  EXPECT_THROW(reports::ParseFailOn(","), Error);
}

// --require-confirmed: what did not happen in the run (a lock-order cycle, a predicted race)
// fails only once a steered run confirmed it; an observed race fails as before.
TEST(Gate, RequireConfirmedGatesWhatDidNotHappenOnConfirmation) {
  Report r = RaceReport();
  ASSERT_FALSE(r.findings.empty());
  r.findings.push_back(r.findings[0]);
  r.findings.back().predicted = true;
  r.findings.back().fingerprint += "-predicted";
  std::vector<reports::NamedReport> reps = {{"race", r}};
  GateOptions o;
  o.require_confirmed = true;
  const size_t observed = EvaluateGate({{"race", RaceReport()}}, o).failing;
  EXPECT_GT(observed, 0u);
  EXPECT_EQ(EvaluateGate(reps, o).failing, observed);  // the predicted one passes
  reps[0].report.findings.back().confirmed = true;
  EXPECT_EQ(EvaluateGate(reps, o).failing, observed + 1);
  o.require_confirmed = false;
  reps[0].report.findings.back().confirmed.reset();
  EXPECT_EQ(EvaluateGate(reps, o).failing, observed + 1);
}

TEST(Gate, BaselinedFingerprintsPass) {
  TempDir dir;
  WriteFile(
      dir / "base.json",
      R"({"schema":"threadlens.findings/1","findings":[{"kind":"race","fingerprint":"fedcba9876543210"}]})");
  GateOptions o;
  o.baseline = reports::LoadBaseline(dir / "base.json");
  auto g = EvaluateGate(Samples(), o);
  EXPECT_EQ(g.baselined, 1u);
  EXPECT_EQ(g.failing, 2u);
  EXPECT_EQ(g.verdicts[1][0], reports::Verdict::kBaselined);
  WriteFile(dir / "bad.json", "{not json");
  EXPECT_THROW(reports::LoadBaseline(dir / "bad.json"), Error);
  EXPECT_THROW(reports::LoadBaseline(dir / "missing.json"), Error);
}

TEST(Gate, SuppressionsRemoveMatchesAndCountHits) {
  GateOptions o;
  o.suppressions = Suppressions::Parse(
      "# known issues\n"
      "race:Deposit\n"
      "\n"
      "  lock-order:audit_mu   # a comment after the pattern\n"
      "deadlock:^nothing_matches$\n");
  auto g = EvaluateGate(Samples(), o);
  EXPECT_EQ(g.suppressed, 2u);
  EXPECT_EQ(g.failing, 1u);
  EXPECT_EQ(o.suppressions.rules()[0].hits, 1u);
  EXPECT_EQ(o.suppressions.rules()[1].pattern, "audit_mu");
  EXPECT_EQ(o.suppressions.rules()[2].hits, 0u);

  o.suppressions =
      Suppressions::Parse("lock-order:audit_mu\ndeadlock:Transfer\nfingerprint:fedcba9876543210\n");
  g = EvaluateGate(Samples(), o);
  EXPECT_EQ(g.suppressed, 3u);
  EXPECT_FALSE(g.fails());
}

TEST(Gate, KindMustMatch) {
  GateOptions o;
  o.suppressions = Suppressions::Parse("hang:balance\n");
  EXPECT_EQ(EvaluateGate(Samples(), o).suppressed, 0u);
  o.suppressions = Suppressions::Parse("*:balance\n");
  EXPECT_EQ(EvaluateGate(Samples(), o).suppressed, 1u);
}

// A ThreadSanitizer suppressions file works as it is: its types cover the findings TSan
// would have reported under them, race_top looks at the innermost frames only, and
// called_from_lib at the modules.
TEST(Gate, TsanSuppressionTypesCoverTheirFindings) {
  auto finding = [](std::string kind, std::string subkind) {
    Finding f;
    f.kind = std::move(kind);
    f.subkind = std::move(subkind);
    Access a;
    a.stack = {Frame{.function = "Inner()", .file = "inner.cc", .module = "libinner.so"},
               Frame{.function = "Outer()", .file = "outer.cc", .module = "app"}};
    f.accesses = {a};
    return f;
  };
  const Finding race = finding("race", ""), uaf = finding("race", "use-after-free");
  const Finding leak = finding("misuse", "thread-leak"), locked = finding("misuse", "destroy-locked");
  const Finding cycle = finding("lock-order", ""), twice = finding("self-deadlock", "");
  const Finding errno_ = finding("misuse", "signal-errno");
  auto hits = [](const std::string& rules, const Finding& f) {
    return Suppressions::Parse(rules).Match(f) != nullptr;
  };
  EXPECT_TRUE(hits("race:Outer", race));
  EXPECT_TRUE(hits("race:Outer", uaf));
  EXPECT_FALSE(hits("race:Outer", leak));
  EXPECT_TRUE(hits("race_top:Inner", race));
  EXPECT_FALSE(hits("race_top:Outer", race));  // not the innermost frame
  EXPECT_TRUE(hits("thread:Outer", leak));
  EXPECT_FALSE(hits("thread:Outer", locked));
  EXPECT_TRUE(hits("mutex:Outer", locked));
  EXPECT_TRUE(hits("mutex:Outer", twice));  // TSan's double lock
  EXPECT_FALSE(hits("mutex:Outer", leak));
  EXPECT_TRUE(hits("deadlock:Outer", cycle));  // TSan's lock-order-inversion
  EXPECT_TRUE(hits("signal:Inner", errno_));
  EXPECT_FALSE(hits("signal:Inner", race));
  EXPECT_TRUE(hits("called_from_lib:libinner.so", leak));
  EXPECT_FALSE(hits("called_from_lib:Inner", race));  // modules only
  EXPECT_THROW(Suppressions::Parse("vptr_race:x\n"), Error);
}

TEST(Gate, MalformedSuppressionsNameTheLine) {
  try {
    Suppressions::Parse("race:ok\nnonsense\n", "supp.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("supp.txt:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Suppressions::Parse("racy:x\n"), Error);
  EXPECT_THROW(Suppressions::Parse("race:\n"), Error);
}

}  // namespace
}  // namespace threadlens
