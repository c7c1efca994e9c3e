// tools/calibrate-host (docs/calibration.md): measures this machine in quick mode, writes a
// preset, and the preset applied with --set-file moves the mm_fault, irq and queue stages
// of sva_stall in the direction its measurements say (above or below the model defaults).
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

CliResult run_cmd(const std::string& cmd, const TempDir& tmp) { return run_shell(cmd, tmp); }

double ns_of(const std::string& v) {   // "1234ns"
    return std::stod(v.substr(0, v.size() - 2));
}

int sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

}  // namespace

TEST_CASE("calibrate-host: the quick preset moves mm_fault, irq and queue of sva_stall the way it measured",
          "[scenario][calibration]") {
    TempDir tmp;
    const std::string preset = tmp.file("preset.json");
    const auto c = run_cmd("/usr/bin/python3 '" + std::string(iopf::source_dir()) + "/tools/calibrate-host' --quick --out '" +
                               preset + "'",
                           tmp);
    INFO(c.out << c.err);
    REQUIRE(c.exit_code == 0);
    CHECK(c.out.find("not measurable from user space, kept:") != std::string::npos);
    CHECK(c.out.find("host.irq.hardirq_cost") != std::string::npos);
    const json p = json::parse(read_text(preset));
    const double wake = ns_of(p.at("host.irq.thread_wakeup_cost"));
    const double wq = ns_of(p.at("host.iopf.workqueue.wakeup_cost"));
    const double entry = ns_of(p.at("host.mm.cost.fault_entry"));
    CHECK(p.at("_measured").at("first_touch_fault_ns").get<double>() > 0);
    CHECK(wake > 0);

    const auto base = run_cli({"--platform", "sva_stall", "--quiet", "--stats", tmp.file("a.json")});
    const auto cal = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", preset, "--stats", tmp.file("b.json")});
    INFO(cal.err);
    REQUIRE(base.exit_code == 0);
    REQUIRE(cal.exit_code == 0);
    const json a = json::parse(read_text(tmp.file("a.json"))).at("faults").at("stages");
    const json b = json::parse(read_text(tmp.file("b.json"))).at("faults").at("stages");
    auto moved = [&](const char* stage) { return b.at(stage).at("mean").get<double>() - a.at(stage).at("mean").get<double>(); };
    // Defaults: fault_entry 400 ns, thread wake-up 2 us, kworker wake-up 2.5 us.
    CHECK(sign(moved("mm_fault")) == sign(entry - 400.0));
    CHECK(sign(moved("irq")) == sign(wake - 2000.0));
    CHECK(sign(moved("queue")) == sign(wq - 2500.0));
    // The preset is applied, not just parsed: the effective configuration carries it.
    const json cfg = json::parse(read_text(tmp.file("b.json"))).at("config").at("parameters");
    CHECK(cfg.at("host.mm.cost.fault_entry").at("value") != cfg.at("host.mm.cost.fault_entry").at("default"));
}

TEST_CASE("calibrate-host: --histograms writes the measured distributions and the preset uses them as empirical costs",
          "[scenario][calibration]") {
    TempDir tmp;
    const std::string preset = tmp.file("preset.json"), dir = tmp.file("hist");
    const auto c = run_cmd("/usr/bin/python3 '" + std::string(iopf::source_dir()) + "/tools/calibrate-host' --quick --out '" +
                               preset + "' --histograms '" + dir + "'",
                           tmp);
    INFO(c.out << c.err);
    REQUIRE(c.exit_code == 0);
    const json p = json::parse(read_text(preset));
    for (const char* key : {"host.irq.thread_wakeup_cost", "host.iopf.workqueue.wakeup_cost", "host.mm.cost.fault_entry"}) {
        INFO(key);
        const json& d = p.at(key);
        CHECK(d.at("dist") == "empirical");
        const std::string file = d.at("file");
        CHECK(file.front() == '/');   // absolute: the preset works from any directory
        // A comment, the header, then 100 percentile rows, ascending.
        std::istringstream in(read_text(file));
        std::string line;
        std::vector<double> v;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#' || line == "value,weight") continue;
            CHECK(line.substr(line.find(',')) == ",1");
            v.push_back(std::stod(line));
        }
        CHECK(v.size() == 100);
        CHECK(std::is_sorted(v.begin(), v.end()));
    }
    // Applied: --describe shows the empirical form, and runs are deterministic per seed.
    const auto d = run_cli({"--describe", "sva_stall", "--json", "--set-file", preset});
    REQUIRE(d.exit_code == 0);
    CHECK(json::parse(d.out).at("parameters").at("host.irq.thread_wakeup_cost").at("value").get<std::string>().find("empirical") !=
          std::string::npos);
    const auto r1 = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", preset, "--stats", tmp.file("1.json")});
    const auto r2 = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", preset, "--stats", tmp.file("2.json")});
    INFO(r1.err);
    REQUIRE(r1.exit_code == 0);
    REQUIRE(r2.exit_code == 0);
    CHECK(json::parse(read_text(tmp.file("1.json"))).at("faults") == json::parse(read_text(tmp.file("2.json"))).at("faults"));
}

TEST_CASE("cli: --set-file applies key.path overrides, --set after it wins, a bad file is bad input", "[scenario][cli]") {
    TempDir tmp;
    write_text(tmp.file("p.json"), R"({ "_comment": "x", "host.irq.hardirq_cost": "1us", "host": { "cpu": { "cores": 2 } } })");
    const auto r = run_cli({"--describe", "sva_stall", "--json", "--set-file", tmp.file("p.json"), "--set", "host.cpu.cores=3"});
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(r.out).at("parameters");
    CHECK(j.at("host.irq.hardirq_cost").at("value") == "1us");
    CHECK(j.at("host.cpu.cores").at("value") == "3");
    write_text(tmp.file("bad.json"), R"({ "host.irq.no_such_cost": "1us" })");
    const auto u = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", tmp.file("bad.json")});
    CHECK(u.exit_code == 2);
    CHECK(u.err.find("host.irq.no_such_cost") != std::string::npos);
    const auto m = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", tmp.file("missing.json")});
    CHECK(m.exit_code == 2);
    CHECK(m.err.find("--set-file") != std::string::npos);
}
