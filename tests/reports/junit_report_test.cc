// JUnit XML, parsed back with a real XML parser.
#include "threadlens/reports/junit_report.h"

#include <gtest/gtest.h>

#include "sample_reports.h"
#include "test_util.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;

TEST(Junit, OneTestcaseWithOneFailurePerFinding) {
  TempDir dir;
  Report clean;
  clean.trace = "clean.tltrace";
  Report two = DeadlockReport();
  two.findings.push_back(RaceReport().findings[0]);
  reports::WriteJunit(dir / "junit.xml", {{"clean", clean},
                                          {"bank <two>", two},
                                          {"hostile", HostileReport()},
                                          {"contention", ContentionReport()}});
  std::string script =
      "import sys, xml.etree.ElementTree as ET\n"
      "root=ET.parse(sys.argv[1]).getroot()\n"
      "print('root', root.tag, root.get('tests'), root.get('failures'))\n"
      "for s in root.iter('testsuite'):\n"
      "  print('suite', repr(s.get('name')), s.get('tests'), s.get('failures'))\n"
      "for tc in root.iter('testcase'):\n"
      "  fs=tc.findall('failure')\n"
      "  print('case', repr(tc.get('classname')), repr(tc.get('name')), len(fs),\n"
      "        '|'.join(f.get('type') for f in fs))\n"
      "  for f in fs: print('body', f.get('type'), 'bank.cc:' in f.text, repr(f.get('message')))\n";
  WriteFile(dir / "parse.py", script);
  auto r = RunCommand("python3 " + Quote(dir / "parse.py") + " " + Quote(dir / "junit.xml"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // clean: 1 passing test; bank: 2 failing; hostile: 1; contention: its lock-order cycle.
  EXPECT_NE(r.output.find("root testsuites 5 4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("suite 'bank <two>' 2 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("case 'threadlens.clean' 'clean' 0 \n"), std::string::npos) << r.output;
  // One failure per testcase: Jenkins shows only a testcase's first failure.
  EXPECT_EQ(r.output.find(" 2 deadlock|race"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("case 'threadlens.bank <two>' 'deadlock: Transfer and Audit wait for "
                          "each other [00000000deadbeef]' 1 deadlock\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("case 'threadlens.bank <two>' 'data race on balance "
                          "[fedcba9876543210]' 1 race\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("case 'threadlens.contention' 'lock-order inversion: accounts_mu -> "
                          "audit_mu -> accounts_mu [0123456789abcdef]' 1 lock-order"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("'lock-order inversion on <script>alert(1)</script>'"), std::string::npos)
      << r.output;
  // Bodies are the text report of the finding, stacks included.
  EXPECT_NE(r.output.find("body deadlock True"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("body race True"), std::string::npos) << r.output;
}

TEST(Junit, CustomTextAndFilter) {
  reports::JunitOptions o;
  o.finding_text = [](const Finding& f, const Report&) { return "TEXT OF " + f.kind; };
  o.fails = [](const Finding& f) { return f.kind == "race"; };
  Report r = DeadlockReport();
  r.findings.push_back(RaceReport().findings[0]);
  std::string xml = reports::JunitXml({{"bank", r}}, o);
  EXPECT_NE(xml.find(">TEXT OF race</failure>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("TEXT OF deadlock"), std::string::npos);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
}

}  // namespace
}  // namespace threadlens
