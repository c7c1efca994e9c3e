// `iopf-sim diff` (issue 16): exit 0 on identical stats, 1 when a metric moves beyond its
// tolerance (naming the metric and both values, headline table first), 2 on bad input.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "sc_main/diff.h"
#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

TEST_CASE("diff: two runs of the same platform and seed are identical (exit 0)", "[scenario][cli][diff]") {
    TempDir tmp;
    const std::string a = tmp.file("a.json"), b = tmp.file("b.json");
    REQUIRE(run_cli({"--platform", "dma_translate", "--quiet", "--stats", a}).exit_code == 0);
    REQUIRE(run_cli({"--platform", "dma_translate", "--quiet", "--stats", b}).exit_code == 0);
    const auto r = run_cli({"diff", a, b});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("no metric moved beyond tolerance") != std::string::npos);
    CHECK(r.out.find("moved:") == std::string::npos);
}

TEST_CASE("diff: a changed fault latency exits 1 naming the metric and both values", "[scenario][cli][diff]") {
    TempDir tmp;
    const std::string a = tmp.file("a.json"), b = tmp.file("b.json");
    REQUIRE(run_cli({"--platform", "dma_translate", "--quiet", "--stats", a}).exit_code == 0);
    json s = json::parse(read_text(a));
    const double p99 = s["faults"]["latency_ns"]["p99"].get<double>();
    REQUIRE(p99 == 557.5);
    s["faults"]["latency_ns"]["p99"] = 600.0;          // +7.62 %
    s["memories"]["dram"]["reads"] = s["memories"]["dram"]["reads"].get<uint64_t>() + 1;
    write_text(b, s.dump(2));
    const auto r = run_cli({"diff", a, b});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto head = r.out.find("Headline metrics that moved:");
    const auto other = r.out.find("Other metrics that moved:");
    REQUIRE(head != std::string::npos);
    REQUIRE(other != std::string::npos);
    CHECK(head < other);
    const auto line = r.out.substr(r.out.find("faults.latency_ns.p99"));
    CHECK(line.substr(0, line.find('\n')).find("557.5") != std::string::npos);
    CHECK(line.substr(0, line.find('\n')).find("600") != std::string::npos);
    CHECK(line.substr(0, line.find('\n')).find("+7.62%") != std::string::npos);
    CHECK(r.out.find("memories.dram.reads") > other);
    CHECK(r.out.find("2 value(s) moved beyond tolerance") != std::string::npos);

    // A tolerance wide enough for both: exit 0, still listed as within tolerance.
    const auto ok = run_cli({"diff", a, b, "--tolerance", "faults.latency_ns.*=10", "--tolerance", "memories.*=1"});
    INFO(ok.out);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("(within tolerance)") != std::string::npos);
    // Too narrow for the latency: exit 1.
    CHECK(run_cli({"diff", a, b, "--tolerance", "*=5"}).exit_code == 1);
}

TEST_CASE("diff: wall time and the config record are not judged, a key only on one side is", "[scenario][diff]") {
    const json a = {{"run", {{"wall_s", 1.0}, {"simulated_ns", 10}}}, {"config", {{"seed", 1}}}};
    json b = {{"run", {{"wall_s", 9.0}, {"simulated_ns", 10}}}, {"config", {{"seed", 2}}}};
    CHECK(iopf::diff_stats(a, b, {}).exit_code == 0);
    b["faults"] = {{"count", 0}};
    const auto r = iopf::diff_stats(a, b, {});
    CHECK(r.exit_code == 1);
    CHECK(r.report.find("Only in B:\n  faults.count = 0") != std::string::npos);
}

TEST_CASE("diff: bad input exits 2 with one line", "[scenario][cli][diff]") {
    TempDir tmp;
    write_text(tmp.file("a.json"), "{}");
    write_text(tmp.file("bad.json"), "{ not json");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"diff", tmp.file("a.json")},
             {"diff", tmp.file("a.json"), tmp.file("missing.json")},
             {"diff", tmp.file("a.json"), tmp.file("bad.json")},
             {"diff", tmp.file("a.json"), tmp.file("a.json"), "--tolerance", "p99"},
             {"diff", tmp.file("a.json"), tmp.file("a.json"), "--bogus"}}) {
        const auto r = run_cli(args);
        INFO(args.back() << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}
