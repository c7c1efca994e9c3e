// Platform wiring from the JSON: interrupt numbers come from the platform (firmware), with
// defaults that keep every shipped platform as it was; duplicates are bad input. Host
// drivers bind to firmware units by compatible.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "models/common/build_info.h"
#include "models/host/gpu_driver.h"
#include "models/host/host.h"
#include "models/host/smmu_v2_driver.h"
#include "models/host/smmu_v3_driver.h"
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

TEST_CASE("wiring: the host binds one registered driver per firmware unit, by compatible, in firmware order",
          "[scenario][wiring]") {
    // The showcase's firmware lists an SMMUv3 ("arm,smmu-v3"), an SMMU-500 ("arm,mmu-500")
    // and a GPU ("iopf,gpu"); the host knows none of them by name.
    Scenario s(json::parse(read_text(std::string(iopf::source_dir()) + "/platforms/showcase.json")), {}, 1, "showcase");
    iopf::Host& host = s.platform().host();
    REQUIRE(host.drivers() == 3);
    CHECK(std::string(host.driver(0).basename()) == "smmu_driver");
    CHECK(std::string(host.driver(1).basename()) == "gpu_smmu_driver");
    CHECK(std::string(host.driver(2).basename()) == "gpu_driver");
    CHECK(host.driver<iopf::SmmuV3Driver>("smmu") != nullptr);
    CHECK(host.driver<iopf::SmmuV2Driver>("gpu_smmu") != nullptr);
    CHECK(host.driver<iopf::GpuDriver>("gpu") != nullptr);
    CHECK(host.driver<iopf::SmmuV2Driver>("smmu") == nullptr);   // the unit has a driver of another kind
    CHECK(host.count_drivers<iopf::SmmuV3Driver>() == 1);
    CHECK(&host.nth_driver<iopf::SmmuV3Driver>(0) == host.driver<iopf::SmmuV3Driver>("smmu"));
    CHECK_THROWS_AS(host.nth_driver<iopf::SmmuV3Driver>(1), std::out_of_range);
    // The ASIDs the SMMUv3 probe asked for were allocated once every driver was bound:
    // distinct from each other and from the processes'.
    std::set<uint16_t> asids;
    size_t spaces = 0;
    for (const auto& a : host.nth_driver<iopf::SmmuV3Driver>(0).streams())
        for (const auto& c : a.contexts) {
            CHECK(c.asid != 0);
            asids.insert(c.asid);
            ++spaces;
        }
    for (const auto& mm : host.mm().processes()) {
        CHECK(mm->asid != 0);
        asids.insert(mm->asid);
        ++spaces;
    }
    CHECK(spaces >= 3);
    CHECK(asids.size() == spaces);
    s.run();
}
