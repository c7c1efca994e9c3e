// Isolation defects from the issue-10 audit, each reproduced through the CLI: the stale
// ATC after an SVA process exits, and an output address beyond the OAS.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

const std::string kTestPlatforms = std::string(iopf::source_dir()) + "/tests/platforms";

std::string describe(const CliResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

json run_stats(const std::vector<std::string>& args, int expect_exit = 0) {
    TempDir tmp;
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--quiet", "--stats", tmp.file("s.json")});
    const CliResult r = run_cli(a);
    INFO(describe(r));
    REQUIRE(r.exit_code == expect_exit);
    return json::parse(read_text(tmp.file("s.json")));
}

}  // namespace

TEST_CASE("stale ATC: SVA unbind at process exit invalidates the endpoint's ATC", "[scenario][isolation]") {
    // ep0 writes a 64 KiB buffer of p0 (16 pages, one 4 KiB write each) twice: a_fill at
    // t=0, b_again from 1 ms every ~100 us. p0 exits at 1.5 ms. Of b_again's 16 writes,
    // the first 5 come before the exit; the 11 after it must not reach p0's freed frames:
    // with CMD_ATC_INV on unbind the endpoint's ATC is empty, its ATS request gets a
    // negative completion, PRI answers Invalid Request, the write completes in error.
    const json s = run_stats({"--platform", kTestPlatforms + "/stale_atc.json"});
    const json& job = s.at("devices").at("ep0").at("jobs").at("b_again");
    CHECK(job.at("completed_ok") == 5);
    CHECK(job.at("completed_error") == 11);
    const json& drv = s.at("host").at("smmu_drivers").at("host.smmu_driver");
    CHECK(drv.at("atc_invalidations") == 1);                         // the unbind's CMD_ATC_INV
    CHECK(s.at("devices").at("ep0").at("atc").at("entries_invalidated") == 16);
    CHECK(s.at("smmus").at("smmu").at("commands").at("CMD_ATC_INV") == 1);

    // The audited defect, kept reachable behind a driver switch: without the ATC
    // invalidation all 16 writes land in the exited process's frames through stale ATC
    // entries (and no ATS request is even made for them).
    const json bad = run_stats({"--platform", kTestPlatforms + "/stale_atc.json", "--set",
                                "host.smmu_driver.unbind_atc_inv=false"});
    CHECK(bad.at("devices").at("ep0").at("jobs").at("b_again").at("completed_ok") == 16);
    CHECK(bad.at("devices").at("ep0").at("atc").at("hits") == 32);
}

TEST_CASE("isolation monitor: clean with the unbind fix, catches the stale ATC without it", "[scenario][isolation]") {
    // --check-isolation: the fixed driver revokes p0's 16 pages at the end of the unbind and
    // the endpoint never reaches them again.
    const json ok = run_stats({"--platform", kTestPlatforms + "/stale_atc.json", "--check-isolation"});
    CHECK(ok.at("invariants").at("isolation_violations") == 0);
    CHECK(ok.at("isolation").at("grants_revoked") == 16);
    CHECK(ok.at("isolation").at("revocations") == 1);
    // The reverted fix: the 11 writes issued after the exit go through stale ATC entries to
    // pages the host has taken back; the monitor flags exactly those, and the run exits 1.
    TempDir tmp;
    const CliResult r = run_cli({"--platform", kTestPlatforms + "/stale_atc.json", "--check-isolation", "--quiet",
                                 "--set", "host.smmu_driver.unbind_atc_inv=false", "--stats", tmp.file("s.json")});
    INFO(describe(r));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("isolation violated: 11 device accesses") != std::string::npos);
    const json bad = json::parse(read_text(tmp.file("s.json")));
    CHECK(bad.at("invariants").at("isolation_violations") == 11);
    const json& first = bad.at("isolation").at("first_violations").at(0);
    CHECK(first.at("device") == "ep0");
    CHECK(first.at("access") == "W");
    CHECK(first.at("issued_ns").get<double>() > first.at("revoked_ns").get<double>());
    // Without the flag the monitor is off and the stats carry no isolation section.
    const json off = run_stats({"--platform", kTestPlatforms + "/stale_atc.json"});
    CHECK_FALSE(off.contains("isolation"));
    CHECK_FALSE(off.at("invariants").contains("isolation_violations"));
}

TEST_CASE("OAS: a mapping above the output address size faults with F_ADDR_SIZE", "[scenario][isolation]") {
    // dma1's 32 KiB buffer mapped at PA 0x1000091000000 (bit 48 set). The walker used to
    // mask the PA to 0x91000000 -- into another buffer. The CLI now refuses such a mapping
    // before the run (platforms/check_memory_map); a platform built without that check
    // (the harness) shows what the hardware does: every access is an Address size fault.
    const CliResult r = run_cli({"--platform", "dma_translate", "--quiet", "--set",
                                 "host.streams.dma1.contexts.main.mappings.buf.pa=0x1000091000000"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);

    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "a": { "op": "write", "base": "0x10000000", "length": "32KiB", "burst": 4096 } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 2, "outstanding": 1, "jobs": {
          "a": { "op": "read", "base": "0x20000000", "length": "32KiB", "burst": 4096 } } },
      "host": { "streams": {
          "dma0": { "contexts": { "main": { "mappings": {
              "buf": { "va": "0x10000000", "pa": "0x91000000", "size": "32KiB" } } } } },
          "dma1": { "contexts": { "main": { "mappings": {
              "buf": { "va": "0x20000000", "pa": "0x1000091000000", "size": "32KiB" } } } } } } }
    })"));
    const auto& st = s.run();
    const json& d1 = device_stats(st, "dma1");
    CHECK(d1.at("completed_ok") == 0);
    CHECK(d1.at("completed_error") == 8);
    CHECK(device_stats(st, "dma0").at("completed_ok") == 8);
    CHECK(count_or_zero(driver_stats(st).at("events_by_type"), "F_ADDR_SIZE") == 8);
}

TEST_CASE("isolation monitor: VT-d process exit tears the PASID down and revokes it, a skipped device-TLB flush is caught",
          "[scenario][isolation][vtd]") {
    // tests/platforms/vtd_exit.json: stale_atc.json behind VT-d. At the exit the driver
    // clears the PASID entry's P, invalidates the PASID cache, IOTLB and device TLB and
    // waits; the 11 writes after it fault (PASID entry not present) instead of reaching p0's
    // frames, and the monitor saw all 16 granted pages revoked.
    const json ok = run_stats({"--platform", kTestPlatforms + "/vtd_exit.json", "--check-isolation"});
    CHECK(ok.at("devices").at("ep0").at("jobs").at("b_again").at("completed_ok") == 5);
    CHECK(ok.at("devices").at("ep0").at("jobs").at("b_again").at("completed_error") == 11);
    CHECK(ok.at("devices").at("ep0").at("atc").at("entries_invalidated") == 16);
    CHECK(ok.at("invariants").at("isolation_violations") == 0);
    CHECK(ok.at("isolation").at("grants_revoked") == 16);
    CHECK(ok.at("isolation").at("revocations") == 1);
    // Without the device-TLB invalidation the endpoint's ATC keeps p0's translations: the
    // 11 writes after the exit land in revoked frames, and the monitor flags each.
    TempDir tmp;
    const CliResult r = run_cli({"--platform", kTestPlatforms + "/vtd_exit.json", "--check-isolation", "--quiet",
                                 "--set", "host.vtd_driver.unbind_dev_tlb_inv=false", "--stats", tmp.file("s.json")});
    INFO(describe(r));
    CHECK(r.exit_code == 1);
    const json bad = json::parse(read_text(tmp.file("s.json")));
    CHECK(bad.at("invariants").at("isolation_violations") == 11);
}

TEST_CASE("isolation monitor: a stage-2 unmap revokes the VM's grants to the frames it took away",
          "[scenario][isolation][stage2]") {
    // stage2_stall: at 3 ms the hypervisor unmaps 16 KiB of guest memory at stage 2
    // (TLBI_S2_IPA per page, CMD_SYNC); the monitor revokes the VMID's grants to those 4
    // frames, whatever stream reached them, and the job after the unmap reaches none of them.
    const json s = run_stats({"--platform", "stage2_stall", "--check-isolation"});
    CHECK(s.at("host").at("hypervisor").at("vm0").at("s2_pages_unmapped") == 4);
    CHECK(s.at("isolation").at("revocations") == 4);
    CHECK(s.at("isolation").at("grants_revoked") == 4);
    CHECK(s.at("invariants").at("isolation_violations") == 0);
}
