// Calibration platforms land in the band of the published measurement they reproduce
// (issue 14; docs/calibration.md). The numbers come from the run: the stats `calibration`
// object is computed by iopf-sim from the run's own stats.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

json run_stats(const std::string& platform, std::vector<std::string> extra = {}) {
    TempDir tmp;
    std::vector<std::string> args{"--platform", platform, "--quiet", "--stats", tmp.file("s.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_text(tmp.file("s.json")));
}

void check_anchor(const json& c, const char* name, double anchor, double tol) {
    INFO(name << ": " << c.dump());
    const json& a = c.at(name);
    CHECK(a.at("anchor").get<double>() == anchor);
    CHECK(a.at("band").at(0).get<double>() == Approx(anchor * (1 - tol)));
    CHECK(a.at("band").at(1).get<double>() == Approx(anchor * (1 + tol)));
    CHECK(a.at("unit") == "ns");
    CHECK_FALSE(a.at("source").get<std::string>().empty());
    REQUIRE(a.at("model").is_number());
    const double m = a.at("model").get<double>();
    CHECK(m >= anchor * (1 - tol));
    CHECK(m <= anchor * (1 + tol));
    CHECK(a.at("in_band") == true);
}

}  // namespace

TEST_CASE("calibration: pcie-bench 64 B DMA read latency and IOTLB miss penalty within 15%", "[scenario][calibration]") {
    const json s = run_stats("calib_pcie_bench");
    const json& c = s.at("calibration");
    check_anchor(c, "dma_read_small_window", 600, 0.15);
    check_anchor(c, "dma_read_iotlb_miss", 880, 0.15);
    check_anchor(c, "iotlb_miss_penalty", 280, 0.15);
    // The mechanism: the small window hits the TLB, the 64 MiB one walks (4 reads) nearly always.
    const json& m = s.at("smmus").at("smmu");
    CHECK(m.at("walks").get<uint64_t>() >= 3800);
    CHECK(m.at("walks").get<uint64_t>() <= 4200);
    // The model's figure is the run's own: the difference of the two medians.
    const json& j = s.at("devices").at("ep0").at("jobs");
    CHECK(c.at("iotlb_miss_penalty").at("model").get<double>() ==
          Approx(j.at("b_large").at("latency_ns").at("p50").get<double>() - j.at("a_small").at("latency_ns").at("p50").get<double>()));
}

TEST_CASE("calibration: a slower memory moves the model out of the pcie-bench band and says so", "[scenario][calibration]") {
    // The band check is not a constant: 200 ns DRAM makes each walk read slower.
    const json s = run_stats("calib_pcie_bench", {"--set", "dram.latency=200ns"});
    const json& c = s.at("calibration");
    CHECK(c.at("iotlb_miss_penalty").at("model").get<double>() > 280 * 1.15);
    CHECK(c.at("iotlb_miss_penalty").at("in_band") == false);
}

TEST_CASE("calibration: a first-touch anonymous write fault costs about 2 us in handle_mm_fault", "[scenario][calibration]") {
    const json s = run_stats("calib_mm_fault");
    check_anchor(s.at("calibration"), "first_touch_fault", 2000, 0.2);
    CHECK(s.at("faults").at("count") == 64);   // one per page of the 256 KiB heap
}

TEST_CASE("calibration: a platform without anchors has no calibration object, a bad metric is bad input",
          "[scenario][calibration]") {
    const json s = run_stats("sva_stall");
    CHECK_FALSE(s.contains("calibration"));
    const auto r = run_cli({"--platform", "calib_mm_fault", "--quiet", "--set",
                            "platform.calibration.first_touch_fault.metric=faults.stages"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("platform.calibration.first_touch_fault.metric") != std::string::npos);
}
