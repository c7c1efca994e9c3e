// Fast mode's accuracy trade (models/devices/quantum.h, docs/models/dma-engine.md): the
// showcase platform in --mode fast keeps its fault-latency percentiles and every device's
// mean latency close to accurate mode, finishes every transaction and fault, and stays
// deterministic.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;

namespace {

nlohmann::json run_showcase(const TempDir& tmp, const std::string& mode, const std::string& tag) {
    const std::string stats = tmp.file(tag + ".json");
    const CliResult r = run_cli({"--platform", "showcase", "--mode", mode, "--quiet", "--stats", stats});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_text(stats));
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
    for (const char* p : {"p50", "p90", "p99"}) {
        const double a = acc["faults"]["latency_ns"][p].get<double>(), f = fast["faults"]["latency_ns"][p].get<double>();
        INFO(p << ": accurate " << a << " ns, fast " << f << " ns");
        CHECK(f <= a * 1.05);
        CHECK(f >= a * 0.95);
    }
    for (const auto& [dev, d] : acc["devices"].items()) {
        const double a = d["latency_ns"]["mean"].get<double>();
        const double f = fast["devices"][dev]["latency_ns"]["mean"].get<double>();
        INFO(dev << ": mean latency accurate " << a << " ns, fast " << f << " ns");
        CHECK(f <= a * 1.10);
        CHECK(fast["devices"][dev]["issued"] == d["issued"]);
    }
}
