// tools/report (docs/workflows.md "Run report"): one self-contained HTML page per run or
// sweep directory, with its plots embedded as data: URIs (no network, no side files), the
// run's numbers in its tables, and bad input exiting 2 with one line. Needs /usr/bin/python3
// with python3-matplotlib (tools/setup test installs it).
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "models/common/build_info.h"
#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

const std::string kReport = std::string(iopf::source_dir()) + "/tools/report";
const std::string kSim = IOPF_SIM_BINARY;

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Runs `cmd` in the test's directory.
CliResult in_dir(const TempDir& tmp, const std::string& cmd) { return run_shell("cd '" + tmp.path() + "' && " + cmd, tmp); }

void self_contained(const std::string& page) {
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.find("http://") == std::string::npos);
    CHECK(page.find("https://") == std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(count(page, "<img ") == count(page, "<img src=\"data:image/png;base64,"));
}

}  // namespace

TEST_CASE("report: a run directory gives one page with its numbers, a CDF and the stage bars", "[scenario][report]") {
    TempDir tmp;
    const auto run = in_dir(tmp, "mkdir run bare && " + kSim + " --platform sva_stall --quiet --stats run/stats.json --fault-log run/faults.csv");
    REQUIRE(run.exit_code == 0);
    const auto r = in_dir(tmp, kReport + " run");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "report: wrote run/report.html\n");
    const std::string page = read_text(tmp.file("run/report.html"));
    self_contained(page);
    CHECK(count(page, "<img src=\"data:image/png;base64,") == 2);   // CDF + stage breakdown
    CHECK(page.find("<h1>iopf-sim run: sva_stall</h1>") != std::string::npos);
    CHECK(page.find("<h2>Faults: 38</h2>") != std::string::npos);
    CHECK(page.find("<td>success</td><td>32</td>") != std::string::npos);
    CHECK(page.find("<td>invalid</td><td>6</td>") != std::string::npos);
    CHECK(page.find("class=\"bad\"") == std::string::npos);          // every invariant is zero
    // Without a fault log the page says how to get the plots.
    REQUIRE(in_dir(tmp, kSim + " --platform sva_stall --quiet --stats bare/stats.json").exit_code == 0);
    REQUIRE(in_dir(tmp, kReport + " bare -o bare.html").exit_code == 0);
    const std::string bare = read_text(tmp.file("bare.html"));
    CHECK(count(bare, "<img ") == 0);
    CHECK(bare.find("--fault-log") != std::string::npos);
}

TEST_CASE("report: a sweep directory gives the table of points and a chart per headline metric", "[scenario][report]") {
    TempDir tmp;
    const auto sw = in_dir(tmp, kSim + " sweep --platform sva_stall --vary host.cpu.cores=1,4 --out sw -j 1");
    REQUIRE(sw.exit_code == 0);
    const auto r = in_dir(tmp, kReport + " sw");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string page = read_text(tmp.file("sw/report.html"));
    self_contained(page);
    CHECK(page.find("<h2>Points: 2 (2 ok)</h2>") != std::string::npos);
    CHECK(page.find("<th>host.cpu.cores</th>") != std::string::npos);
    // p50, p99, mean, count, TLB hit rate against the varied key.
    CHECK(count(page, "<img src=\"data:image/png;base64,") == 5);
    CHECK(page.find("faults.latency_ns.p99 against host.cpu.cores") != std::string::npos);
}

TEST_CASE("report: a missing directory or one without stats exits 2 with one line", "[scenario][report]") {
    TempDir tmp;
    const auto a = in_dir(tmp, kReport + " nowhere");
    CHECK(a.exit_code == 2);
    CHECK(a.err == "report: nowhere: no such directory\n");
    REQUIRE(in_dir(tmp, "mkdir empty").exit_code == 0);
    const auto b = in_dir(tmp, kReport + " empty");
    CHECK(b.exit_code == 2);
    CHECK(b.err.find("no stats.json") != std::string::npos);
    CHECK(b.err.find('\n') == b.err.size() - 1);
}
