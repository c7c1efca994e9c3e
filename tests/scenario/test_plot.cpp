// tools/plot (docs/workflows.md "Plots"): each plot is a real PNG of the documented size, the
// numbers it plots (echoed on stdout) agree with the run's stats, and bad input exits 2 with
// one line. Needs /usr/bin/python3 with python3-matplotlib (tools/setup test installs it).
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

const std::string kPlot = std::string(iopf::source_dir()) + "/tools/plot";

CliResult run_cmd(const std::string& cmd, const TempDir& tmp) { return run_shell(cmd, tmp); }

// Width and height from a PNG's IHDR; {0, 0} if the file is not a PNG.
std::pair<uint32_t, uint32_t> png_size(const std::string& path) {
    const std::string b = read_text(path);
    if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0) return {0, 0};
    auto be32 = [&](size_t at) {
        return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
               (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
    };
    return {be32(16), be32(20)};
}

// "plot: resolution=success n=32 a=1 b=2" -> {"resolution": "success", "n": "32", ...}
std::map<std::string, std::string> fields(const std::string& line) {
    std::map<std::string, std::string> f;
    std::istringstream in(line);
    std::string tok;
    while (in >> tok) {
        const auto eq = tok.find('=');
        if (eq != std::string::npos) f[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
    return f;
}

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST_CASE("plot: cdf and stages of a real fault log agree with its stats", "[scenario][plot]") {
    TempDir tmp;
    const std::string faults = tmp.file("f.csv"), stats = tmp.file("s.json");
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--fault-log", faults, "--stats", stats}).exit_code == 0);
    const json s = json::parse(read_text(stats));
    const auto& by_res = s.at("faults").at("by_resolution");

    // CDF: one curve per resolution present, n = that resolution's count; 8 x 5 in at 120 dpi.
    auto r = run_cmd(kPlot + " cdf '" + faults + "' -o '" + tmp.file("cdf.png") + "'", tmp);
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(png_size(tmp.file("cdf.png")) == std::make_pair(960u, 600u));
    uint64_t curves = 0, total_n = 0;
    for (const auto& l : lines_of(r.out)) {
        if (l.rfind("plot: resolution=", 0) != 0) continue;
        auto f = fields(l);
        ++curves;
        total_n += std::stoull(f.at("n"));
        CHECK(f.at("n") == std::to_string(by_res.at(f.at("resolution")).get<uint64_t>()));
        CHECK(std::stod(f.at("max")) <= s.at("faults").at("latency_ns").at("max").get<double>());
    }
    CHECK(curves == 2);   // sva_stall: success and invalid
    CHECK(total_n == s.at("faults").at("count").get<uint64_t>());

    // Stages: per resolution, the stacked means add up to the mean latency of that group;
    // weighted by n they give the overall mean latency of the stats. 2 bars -> 6.2 in wide.
    r = run_cmd(kPlot + " stages '" + faults + "' -o '" + tmp.file("stages.png") + "'", tmp);
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(png_size(tmp.file("stages.png")) == std::make_pair(744u, 600u));
    double weighted = 0;
    size_t bars = 0;
    for (const auto& l : lines_of(r.out)) {
        if (l.rfind("plot: resolution=", 0) != 0) continue;
        auto f = fields(l);
        ++bars;
        double sum = 0;
        for (const char* st : {"detect", "record", "irq", "dispatch", "queue", "mm_fault", "dump", "respond", "retry"})
            if (f.count(st)) sum += std::stod(f.at(st));
        CHECK(sum == Approx(std::stod(f.at("total"))).epsilon(1e-5));
        weighted += std::stod(f.at("total")) * std::stod(f.at("n"));
        CHECK(f.count("dump") == 0);   // zero on every sva_stall fault: left out of the legend
    }
    CHECK(bars == 2);
    CHECK(weighted / s.at("faults").at("count").get<double>() ==
          Approx(s.at("faults").at("latency_ns").at("mean").get<double>()).epsilon(1e-5));

    // By device: dma0 and dma1 both fault in sva_stall.
    r = run_cmd(kPlot + " cdf '" + faults + "' --by device -o '" + tmp.file("dev.png") + "'", tmp);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("plot: device=dma0 n=") != std::string::npos);
    CHECK(r.out.find("plot: device=dma1 n=") != std::string::npos);
}

TEST_CASE("plot: sweep draws one line per series from results.csv, skipping failed points", "[scenario][plot]") {
    TempDir tmp;
    const std::string csv = tmp.file("results.csv");
    write_text(csv,
               "id,a,b,exit,status,faults.latency_ns.p99\n"
               "a=1+b=x,1,x,0,ok,100\n"
               "a=2+b=x,2,x,0,ok,80\n"
               "a=4+b=x,4,x,1,failed,\n"
               "a=1+b=y,1,y,0,ok,150\n"
               "a=4+b=y,4,y,0,ok,90.5\n");
    const auto r = run_cmd(kPlot + " sweep '" + csv + "' --x a --y faults.latency_ns.p99 --series b -o '" +
                               tmp.file("line.png") + "'", tmp);
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(png_size(tmp.file("line.png")) == std::make_pair(960u, 600u));
    CHECK(r.out.find("plot: b=x points=2 (1,100) (2,80)\n") != std::string::npos);
    CHECK(r.out.find("plot: b=y points=2 (1,150) (4,90.5)\n") != std::string::npos);
    CHECK(r.err == "plot: skipping 1 point(s) that did not finish ok\n");
}

TEST_CASE("plot: missing files and columns exit 2 with one line", "[scenario][plot]") {
    TempDir tmp;
    const std::string faults = tmp.file("f.csv"), empty = tmp.file("empty.csv"), results = tmp.file("r.csv");
    write_text(faults, "id,device,resolution,total_ns,detect_ns\n1,d,success,10,10\n");
    write_text(empty, "id,device,resolution,total_ns,detect_ns\n");
    write_text(results, "id,a,exit,status,m\nx,1,0,ok,5\n");
    struct Case {
        std::string args, expect;
    };
    const std::vector<Case> cases = {
        {"cdf '" + tmp.file("nope.csv") + "' -o x.png", tmp.file("nope.csv") + ": no such file"},
        {"cdf '" + results + "' -o x.png", "missing columns 'total_ns', 'resolution'"},
        {"stages '" + empty + "' -o x.png", "no faults to plot"},
        {"sweep '" + results + "' --x b --y m -o x.png", "missing column 'b' (have: id, a, exit, status, m)"},
        {"sweep '" + results + "' --x a --y m --series zz -o x.png", "missing column 'zz'"},
        {"sweep '" + faults + "' --x device --y resolution -o x.png", "no numeric values of 'resolution'"},
        {"cdf '" + faults + "' -o '" + tmp.file("no/dir/x.png") + "'", "cannot write"},
    };
    for (const auto& c : cases) {
        const auto r = run_cmd("cd '" + tmp.path() + "' && " + kPlot + " " + c.args, tmp);
        INFO(c.args << "\nstdout: " << r.out << "\nstderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK(r.err.rfind("plot: ", 0) == 0);
        CHECK(r.err.find(c.expect) != std::string::npos);
    }
    // Usage errors (argparse) also exit 2.
    CHECK(run_cmd(kPlot + " cdf", tmp).exit_code == 2);
}
