// Fast mode's accuracy trade (models/devices/quantum.h, docs/models/dma-engine.md): the
// showcase platform in --mode fast keeps its fault-latency percentiles and every device's
// mean latency close to accurate mode, finishes every transaction and fault, and stays
// deterministic.
//
// The runs use the SMMU-500 driver's mask_cfie fault flow. With the legacy flow the GPU
// context interrupt is re-taken while FSR.SS stays set, and whether a re-taken handler read
// FSR just before the devcoredump worker's CB_RESUME (and so schedules a second, spurious
// devcoredump of ~14 us CPU) is a race decided by nanoseconds: accurate mode loses it, fast
// mode does not, and the CPU it costs moves the accelerator's faults by ~8 %. That is a
// property of the legacy flow, not an error of fast mode, so it is kept out of this check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;

namespace {

nlohmann::json run_showcase(const TempDir& tmp, const std::string& mode, const std::string& tag) {
    const std::string stats = tmp.file(tag + ".json");
    const CliResult r = run_cli({"--platform", "showcase", "--mode", mode, "--quiet", "--stats", stats,
                                 "--fault-log", tmp.file(tag + ".csv"), "--set",
                                 "host.smmu_v2_driver.fault_flow=mask_cfie"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_text(stats));
}

// Per device: the fault latencies (total_ns) of the fault log.
std::map<std::string, std::vector<double>> fault_latency_by_device(const std::string& csv) {
    std::map<std::string, std::vector<double>> by;
    for (const auto& row : read_csv(csv).rows) by[row.at("device")].push_back(std::stod(row.at("total_ns")));
    return by;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

TEST_CASE("fast mode: showcase fault latencies within 5 % of accurate mode at the default quantum") {
    TempDir tmp;
    const auto acc = run_showcase(tmp, "accurate", "acc");
    const auto fast = run_showcase(tmp, "fast", "fast");
    const auto fast2 = run_showcase(tmp, "fast", "fast2");
    CHECK(fast["run"]["mode"] == "fast");
    CHECK(fast["faults"] == fast2["faults"]);   // deterministic
    // Decoupled timing may coalesce or re-fault a few transactions differently.
    const double nf = fast["faults"]["count"].get<double>(), na = acc["faults"]["count"].get<double>();
    CHECK(std::abs(nf - na) <= 0.05 * na);
    for (const auto& [k, v] : fast["invariants"].items()) CHECK(v == 0);
    // Not the pooled p50: the showcase's faults are bimodal (the stall engine's ~12 us, the
    // PRI accelerator's ~32 us) and the pooled median falls in the gap between them, where a
    // 2 % shift in the two counts moves it by 8 %. The per-device medians below cover it.
    for (const char* p : {"p90", "p99"}) {
        const double a = acc["faults"]["latency_ns"][p].get<double>(), f = fast["faults"]["latency_ns"][p].get<double>();
        INFO(p << ": accurate " << a << " ns, fast " << f << " ns");
        CHECK(f <= a * 1.05);
        CHECK(f >= a * 0.95);
    }
    // The pooled percentiles mix unimodal populations (stall, PRI, GPU); per device with
    // enough faults to have a stable median, fast mode stays within 5 % too.
    const auto acc_by = fault_latency_by_device(tmp.file("acc.csv"));
    const auto fast_by = fault_latency_by_device(tmp.file("fast.csv"));
    size_t compared = 0;
    for (const auto& [dev, a] : acc_by) {
        if (a.size() < 50) continue;
        REQUIRE(fast_by.count(dev));
        const double ma = median(a), mf = median(fast_by.at(dev));
        INFO(dev << ": fault latency median accurate " << ma << " ns, fast " << mf << " ns");
        CHECK(mf <= ma * 1.05);
        CHECK(mf >= ma * 0.95);
        ++compared;
    }
    CHECK(compared == 2);   // the SVA stall engine and the PRI accelerator
    for (const auto& [dev, d] : acc["devices"].items()) {
        const double a = d["latency_ns"]["mean"].get<double>();
        const double f = fast["devices"][dev]["latency_ns"]["mean"].get<double>();
        INFO(dev << ": mean latency accurate " << a << " ns, fast " << f << " ns");
        CHECK(f <= a * 1.10);
        CHECK(fast["devices"][dev]["issued"] == d["issued"]);
    }
}
