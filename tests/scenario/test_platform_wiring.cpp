// Platform wiring from the JSON: interrupt numbers come from the platform (firmware), with
// defaults that keep every shipped platform as it was; duplicates are bad input.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

std::string describe(const CliResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// host.irqs in the stats: handler name -> {irq, count}.
json irqs_of(const std::string& stats) { return json::parse(read_text(stats)).at("host").at("irqs"); }

}  // namespace

TEST_CASE("wiring: SMMUv3 interrupt numbers default to 32.. and follow smmu.irq.* from the JSON", "[scenario][wiring]") {
    TempDir tmp;
    const auto a = run_cli({"--platform", "sva_stall", "--quiet", "--stats", tmp.file("a.json")});
    INFO(describe(a));
    REQUIRE(a.exit_code == 0);
    const json da = irqs_of(tmp.file("a.json"));
    REQUIRE(da.contains("smmu_driver.evtq"));
    CHECK(da.at("smmu_driver.evtq").at("irq") == 32);
    CHECK(da.at("smmu_driver.gerror").at("irq") == 33);
    const auto evtq_count = da.at("smmu_driver.evtq").at("count").get<uint64_t>();
    CHECK(evtq_count > 0);

    const auto b = run_cli({"--platform", "sva_stall", "--quiet", "--stats", tmp.file("b.json"), "--set",
                            "smmu.irq.evtq=77", "--set", "smmu.irq.gerror=78"});
    INFO(describe(b));
    REQUIRE(b.exit_code == 0);
    const json db = irqs_of(tmp.file("b.json"));
    CHECK(db.at("smmu_driver.evtq").at("irq") == 77);
    CHECK(db.at("smmu_driver.gerror").at("irq") == 78);
    // Same run otherwise: the driver took the same interrupts under their new numbers.
    CHECK(db.at("smmu_driver.evtq").at("count").get<uint64_t>() == evtq_count);
}

TEST_CASE("wiring: SMMU-500 context interrupt numbers follow smmu.irq.context<i>", "[scenario][wiring]") {
    TempDir tmp;
    const auto r = run_cli({"--platform", "gpu_deferred_resume", "--quiet", "--stats", tmp.file("s.json")});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const json d = irqs_of(tmp.file("s.json"));
    // Find the context handler that ran and renumber its line.
    std::string handler;
    unsigned cb = 0;
    for (auto it = d.begin(); it != d.end(); ++it) {
        const std::string n = it.key();
        const auto dot = n.rfind(".cb");
        if (dot != std::string::npos && it->at("count").get<uint64_t>() > 0) {
            handler = n;
            cb = static_cast<unsigned>(std::stoul(n.substr(dot + 3)));
            CHECK(it->at("irq").get<unsigned>() == 256 + 1 + cb);
        }
    }
    REQUIRE(!handler.empty());
    const std::string smmu = handler.substr(0, handler.rfind(".cb"));
    const auto r2 = run_cli({"--platform", "gpu_deferred_resume", "--quiet", "--stats", tmp.file("t.json"), "--set",
                             smmu + ".irq.context" + std::to_string(cb) + "=700"});
    INFO(describe(r2));
    REQUIRE(r2.exit_code == 0);
    const json d2 = irqs_of(tmp.file("t.json"));
    CHECK(d2.at(handler).at("irq") == 700);
    CHECK(d2.at(handler).at("count") == d.at(handler).at("count"));
}

TEST_CASE("wiring: two interrupt lines with one number exit 2 naming both", "[scenario][wiring]") {
    const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--set", "smmu.irq.priq=32"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.find("smmu.irq.priq") != std::string::npos);
    CHECK(r.err.find("smmu.irq.evtq") != std::string::npos);
}
