// Host software costs as distributions (docs/models/host.md "Costs as distributions"):
// per-seed determinism of whole runs, seed sensitivity, one-line exit-2 errors from --set and
// --set-file, --describe showing the form, and the shipped jitter platform's tail.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

const char* kLognormalCosts = R"({
  "host.irq.hardirq_cost": {"dist": "lognormal", "median": "800ns", "p99": "4us"},
  "host": {"irq": {"thread_wakeup_cost": {"dist": "lognormal", "median": "2us", "p99": "12us"}},
           "iopf": {"workqueue": {"wakeup_cost": {"dist": "uniform", "min": "1us", "max": "6us"}}}}
})";

struct Run {
    json stats;
    std::string fault_log;
};

Run run_sva(const TempDir& tmp, const std::string& seed, const std::string& tag) {
    const std::string costs = tmp.file("costs.json");
    write_text(costs, kLognormalCosts);
    const std::string st = tmp.file("stats" + tag + ".json"), fl = tmp.file("faults" + tag + ".csv");
    const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", costs, "--seed", seed,
                            "--stats", st, "--fault-log", fl});
    REQUIRE(r.exit_code == 0);
    Run out{json::parse(read_text(st)), read_text(fl)};
    out.stats["run"].erase("wall_s");
    return out;
}

}  // namespace

TEST_CASE("host dist: the same seed gives identical stats and fault log, another seed other samples",
          "[scenario][host][dist]") {
    TempDir tmp;
    const Run a = run_sva(tmp, "7", "a"), b = run_sva(tmp, "7", "b"), c = run_sva(tmp, "8", "c");
    CHECK(a.stats == b.stats);
    CHECK(a.fault_log == b.fault_log);
    CHECK(a.stats["faults"]["stages"]["irq"] != c.stats["faults"]["stages"]["irq"]);
    CHECK(a.fault_log != c.fault_log);
    // Every fault still resolves the same way: the costs move time, not outcomes.
    CHECK(a.stats["faults"]["by_resolution"] == c.stats["faults"]["by_resolution"]);
}

TEST_CASE("host dist: bad distributions exit 2 with one line naming the key", "[scenario][host][dist]") {
    TempDir tmp;
    struct Case { std::string set, expect; };
    const Case cases[] = {
        {R"(host.irq.hardirq_cost={"dist":"lognormal","median":"2us","p99":"1us"})", "p99 (1us) is below its median (2us)"},
        {R"(host.irq.hardirq_cost={"dist":"uniform","min":"-1us","max":"1us"})", "negative"},
        {R"(host.irq.hardirq_cost={"dist":"zipf"})", "unknown distribution 'zipf'"},
        {R"(host.irq.hardirq_cost={"dist":"empirical","file":"/nonexistent.csv"})", "cannot read histogram"},
        {R"(host.irq.hardirq_cost={"dist":)", "expected a time such as 2us or a distribution"},
    };
    for (const auto& c : cases) {
        INFO(c.set);
        const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--set", c.set});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("host.irq.hardirq_cost") != std::string::npos);
        CHECK(r.err.find(c.expect) != std::string::npos);
        CHECK(lines_of(r.err).size() == 1);
    }
    const std::string empty = tmp.file("empty.csv"), bad = tmp.file("bad.json");
    write_text(empty, "value,weight\n# nothing measured\n");
    write_text(bad, R"({"host.iopf.cost.report": {"dist": "empirical", "file": ")" + empty + R"("}})");
    const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--set-file", bad});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("host.iopf.cost.report") != std::string::npos);
    CHECK(r.err.find("is empty") != std::string::npos);
    CHECK(run_cli({"--platform", "sva_stall", "--quiet", "--set-file", tmp.file("missing.json")}).exit_code == 2);
}

TEST_CASE("host dist: --describe shows the distribution in effect and the cost type", "[scenario][host][dist]") {
    const auto r = run_cli({"--describe", "sva_stall", "--set",
                            R"(host.irq.hardirq_cost={"dist":"lognormal","median":"1us","p99":"5us"})"});
    REQUIRE(r.exit_code == 0);
    bool seen = false;
    for (const auto& l : lines_of(r.out)) {
        if (l.rfind("host.irq.hardirq_cost ", 0) != 0) continue;
        seen = true;
        CHECK(l.find(" cost ") != std::string::npos);
        CHECK(l.find("lognormal 1us/p99 5us") != std::string::npos);
        CHECK(l.find("800ns") != std::string::npos);   // the default stays a constant
    }
    CHECK(seen);
}

TEST_CASE("host dist: sva_stall_jitter has an irq-stage tail (p99/p50 above 1.5), constants do not",
          "[scenario][host][dist]") {
    TempDir tmp;
    auto irq = [&](const std::string& platform) {
        const std::string st = tmp.file(platform + ".json");
        REQUIRE(run_cli({"--platform", platform, "--quiet", "--stats", st}).exit_code == 0);
        return json::parse(read_text(st))["faults"]["stages"]["irq"];
    };
    const json jitter = irq("sva_stall_jitter"), flat = irq("sva_stall");
    CHECK(jitter["p99"].get<double>() / jitter["p50"].get<double>() > 1.5);
    CHECK(jitter["count"] == flat["count"]);
}

TEST_CASE("host dist: a dumped configuration keeps a distribution and replays to identical stats",
          "[scenario][host][dist]") {
    TempDir tmp;
    const std::string dump = tmp.file("cfg.json"), a = tmp.file("a.json"), b = tmp.file("b.json");
    const std::string set = R"(host.irq.thread_wakeup_cost={"dist":"lognormal","median":"2us","p99":"12us"})";
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--seed", "5", "--set", set, "--dump-config", dump,
                     "--stats", a}).exit_code == 0);
    const json cfg = json::parse(read_text(dump));
    CHECK(cfg["platform_json"]["host"]["irq"]["thread_wakeup_cost"] ==
          json::parse(R"({"dist":"lognormal","median":"2us","p99":"12us"})"));
    REQUIRE(run_cli({"--config", dump, "--quiet", "--stats", b}).exit_code == 0);
    json sa = json::parse(read_text(a)), sb = json::parse(read_text(b));
    CHECK(sa["faults"] == sb["faults"]);
    CHECK(sa["host"] == sb["host"]);
}
