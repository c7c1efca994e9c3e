// PCIe ATS + PRI end to end with exactly predicted counts: one root complex in front of the
// SMMU, PCIe functions doing SVA DMA for process p0 (PASID 1, a 1 MiB read-write buffer at
// 0x400000000).
#include <catch2/catch.hpp>

#include <string>

#include "models/devices/pcie_endpoint.h"
#include "models/host/host.h"
#include "models/smmu/v3/format/command.h"
#include "models/host/smmu_v3_driver.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

json pri_platform(const std::string& ep0, const std::string& extra = "{}") {
    json p = base_platform(R"({
      "rc0": { "type": "root_complex", "smmu": "smmu", "latency": "150ns" },
      "ep0": { "type": "pcie_endpoint", "root_complex": "rc0", "sid": 256, "ecam_base": "0x40000000", "outstanding": 1 },
      "host": {
        "mm": { "user_pool": { "base": "0xa0000000", "size": "256MiB" } },
        "processes": { "p0": { "pasid": 1, "asid": 10, "vmas": {
            "buf": { "start": "0x400000000", "size": "1MiB", "perm": "rw" } } } },
        "streams": { "ep0": { "sva": "p0", "pri_credits": 16 } } }
    })");
    p["ep0"].merge_patch(json::parse(ep0));
    p.merge_patch(json::parse(extra));
    return p;
}

const json& pri(const json& s, const char* dev = "ep0") { return device_stats(s, dev).at("pri"); }

}  // namespace

TEST_CASE("pri: a 4-page group waits for Last and gets one response, counts are exact", "[scenario][pri]") {
    // 4 page-sized writes over 16 KiB: the first access's ATS miss is negative; the function
    // sends one PRG of 4 Page Requests (pages 0-3, Last on page 3); the host answers once;
    // the ATS retry succeeds, and pages 1-3 then translate without PRI.
    Scenario sc(pri_platform(R"({ "pri": { "prg_pages": 4 },
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } } })"));
    const json& s = sc.run();
    CHECK(pri(s).at("page_requests") == 4);
    CHECK(pri(s).at("groups") == 1);
    CHECK(pri(s).at("success") == 1);
    CHECK(smmu_stats(s).at("pri_requests") == 4);
    CHECK(count_or_zero(smmu_stats(s).at("commands"), "CMD_PRI_RESP") == 1);
    CHECK(driver_stats(s).at("pri_handled") == 4);
    CHECK(s.at("host").at("iopf").at("groups") == 1);
    CHECK(s.at("host").at("iopf").at("reported") == 4);
    const json& ats = device_stats(s, "ep0").at("ats");
    CHECK(ats.at("requests") == 5);   // page 0 negative + retry, pages 1-3 positive
    CHECK(ats.at("negative") == 1);
    CHECK(ats.at("translated_dma") == 4);
    CHECK(s.at("host").at("mm").at("processes").at("p0").at("pages_allocated") == 4);
    CHECK(s.at("faults").at("count") == 1);
    CHECK(s.at("faults").at("by_resolution").at("success") == 1);
    CHECK(smmu_stats(s).at("events") == 0);   // an ATS translation fault records no event
    CHECK(device_stats(s, "ep0").at("completed_ok") == 4);
    for (const auto& r : sc.ctx().faults.records()) {
        uint64_t sum = 0;
        for (auto d : r.durations_ps()) sum += d;
        CHECK(sum == r.t_done_ps - r.t_issue_ps);
        CHECK(r.t_ats_negative_ps > 0);
        CHECK(r.t_page_request_ps >= r.t_ats_negative_ps);
        CHECK(r.t_prg_response_ps > r.t_page_request_ps);
        CHECK(r.t_ats_retry_ps > r.t_prg_response_ps);
    }
}

TEST_CASE("pri: the outstanding page request allocation is never exceeded", "[scenario][pri]") {
    // 8 slots fault on 8 different pages at once; the host grants 4 credits.
    Scenario sc(pri_platform(R"({ "outstanding": 8,
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "32KiB", "burst": 4096 } } })",
                             R"({ "host": { "streams": { "ep0": { "pri_credits": 4 } } } })"));
    const json& s = sc.run();
    CHECK(pri(s).at("allocation") == 4);
    CHECK(pri(s).at("max_credits_in_use") == 4);
    CHECK(pri(s).at("page_requests") == 8);
    CHECK(pri(s).at("success") == 8);
    CHECK(device_stats(s, "ep0").at("completed_ok") == 8);
}

TEST_CASE("pri: Response Failure sets RF and the function sends no further page request", "[scenario][pri]") {
    // The OS did not enable IOPF for the function: nobody handles its PASID -> FAILURE.
    Scenario sc(pri_platform(R"({
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } } })",
                             R"({ "host": { "streams": { "ep0": { "iopf": false } } } })"));
    const json& s = sc.run();
    CHECK(pri(s).at("page_requests") == 1);
    CHECK(pri(s).at("response_failure") == 1);
    CHECK(pri(s).at("status_rf") == true);
    CHECK(pri(s).at("page_requests_after_rf") == 0);
    CHECK(pri(s).at("blocked") == 3);   // accesses 2-4: negative ATS, no PRI allowed
    CHECK(driver_stats(s).at("failure_responses") == 1);
    CHECK(device_stats(s, "ep0").at("completed_error") == 4);
    CHECK(s.at("faults").at("by_resolution").at("failure") == 4);
    CHECK(sc.platform().endpoint("ep0").pri_status() & pcie_cfg::PRI_RF);
}

TEST_CASE("pri: accesses outside any VMA get Invalid Request and fail", "[scenario][pri]") {
    Scenario sc(pri_platform(R"({
        "jobs": { "w": { "op": "read", "ssid": 1, "pattern": "strided", "base": "0x700000000", "length": "12KiB", "stride": "4KiB", "burst": 64 } } })"));
    const json& s = sc.run();
    CHECK(pri(s).at("invalid_request") == 3);
    CHECK(pri(s).at("status_rf") == false);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 3);
    CHECK(device_stats(s, "ep0").at("completed_error") == 3);
}

TEST_CASE("pri: a PRG Response with nothing outstanding sets UPRGI", "[scenario][pri]") {
    Scenario sc(pri_platform(R"({
        "jobs": { "w": { "op": "read", "ssid": 1, "base": "0x400000000", "length": "4KiB", "burst": 4096, "start": "100us" } } })"));
    sc.spawn([&] {
        SmmuV3Driver& drv = sc.platform().host().nth_driver<SmmuV3Driver>(0);
        while (!drv.ready()) sc_core::wait(drv.ready_event());
        OnCore core(sc.platform().host().cpu);
        drv.submit({smmu::v3::cmd_pri_resp(256, 1, true, 77, smmu::v3::PriResp::Success)}, true);
    });
    const json& s = sc.run();
    CHECK(pri(s).at("uprgi") == 1);
    CHECK(pri(s).at("status_uprgi") == true);
    CHECK(device_stats(s, "ep0").at("completed_ok") == 1);
}

TEST_CASE("pri: PRI queue overflow answers Last automatically and the host recovers", "[scenario][pri]") {
    // A 4-entry PRI queue, 2-page groups from 8 slots: the queue overflows; Last requests get
    // automatic Success, the host drops partial groups, and functions retry (PRI again when
    // the page is still missing) until every access is served.
    Scenario sc(pri_platform(R"({ "outstanding": 8, "pri": { "prg_pages": 2, "max_retries": 64 },
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "128KiB", "burst": 4096 } } })",
                             R"({ "host": { "smmu_driver": { "priq_log2size": 2 }, "streams": { "ep0": { "pri_credits": 32 } } } })"));
    const json& s = sc.run();
    const json& m = smmu_stats(s);
    CHECK(m.at("pri_overflow").get<uint64_t>() > 0);
    CHECK(m.at("pri_auto_responses").get<uint64_t>() > 0);
    CHECK(driver_stats(s).at("priq_overflows").get<uint64_t>() > 0);
    // Every group got exactly one response (no duplicates, none missing).
    const json& p = pri(s);
    CHECK(p.at("success").get<uint64_t>() + p.at("invalid_request").get<uint64_t>() +
              p.at("response_failure").get<uint64_t>() == p.at("groups").get<uint64_t>());
    CHECK(p.at("uprgi") == 0);
    CHECK(m.at("pri_auto_responses").get<uint64_t>() + count_or_zero(m.at("commands"), "CMD_PRI_RESP") ==
          p.at("groups").get<uint64_t>());
    CHECK(device_stats(s, "ep0").at("completed_ok") == 32);
    CHECK(s.at("invariants").at("lost_transactions") == 0);
}

TEST_CASE("pri: unmap invalidates the SMMU TLB then the ATC, and CMD_SYNC waits for the completion",
          "[scenario][pri]") {
    TempDir dir;
    // 4 pages populated and cached in the ATC; the VMA, grown to 4 MiB (1024 pages, over
    // tlbi_page_limit = 512: one TLBI_NH_ASID), is unmapped at 80 us.
    Scenario sc(pri_platform(R"({
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } } })",
                             R"({ "host": { "processes": { "p0": { "vmas": { "buf": { "size": "4MiB", "unmap_at": "80us" } } } } } })"));
    sc.queue_log(dir.file("q.txt"));
    const json& s = sc.run();
    sc.ctx().queue_log.flush();
    CHECK(smmu_stats(s).at("atc_invalidations_sent") == 1);
    CHECK(smmu_stats(s).at("atc_inv_completions") == 1);
    CHECK(device_stats(s, "ep0").at("atc").at("entries_invalidated") == 4);
    // Order in the queue log: TLBI_NH_ASID, CMD_SYNC, CMD_ATC_INV, CMD_SYNC that waited.
    std::vector<std::string> seq;
    for (const auto& l : lines_of(read_text(dir.file("q.txt")))) {
        if (l.find("CMD_TLBI_NH_ASID") != std::string::npos) seq.push_back("TLBI");
        else if (l.find("CMD_ATC_INV") != std::string::npos) seq.push_back("ATC_INV");
        else if (l.find("waited") != std::string::npos) seq.push_back("SYNC_WAITED");
        else if (!seq.empty() && l.find("CMD_SYNC") != std::string::npos) seq.push_back("SYNC");
    }
    REQUIRE(seq.size() >= 5);
    CHECK(seq[0] == "TLBI");
    CHECK(seq[1] == "SYNC");
    CHECK(seq[2] == "ATC_INV");
    CHECK(seq[3] == "SYNC");
    CHECK(seq[4] == "SYNC_WAITED");
}

TEST_CASE("pri: after a Stop Marker no page request for that PASID follows until software re-enables it",
          "[scenario][pri]") {
    // Job a demand-pages one page of PASID 1 and ends with a Stop Marker. Job b touches a
    // new page of PASID 1: without restart_pasid the function must not send a page
    // request, so b's access fails; job c (restart_pasid) may page-request again.
    Scenario sc(pri_platform(R"({ "pri": { "stop_marker_at_job_end": true },
        "jobs": { "a": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "4KiB", "burst": 4096 },
                  "b": { "op": "write", "ssid": 1, "base": "0x400001000", "length": "4KiB", "burst": 4096 },
                  "c": { "op": "write", "ssid": 1, "base": "0x400002000", "length": "4KiB", "burst": 4096,
                         "restart_pasid": true } } })"));
    const json& s = sc.run();
    const json& p = pri(s);
    CHECK(p.at("stop_markers") == 3);              // after each job
    CHECK(p.at("page_requests_after_stop") == 0);  // the rule
    CHECK(p.at("blocked_stopped_pasid") == 1);     // b's access
    CHECK(p.at("pasid_restarts") == 1);            // c
    CHECK(p.at("page_requests") == 2);             // a's and c's pages, none for b
    CHECK(device_stats(s, "ep0").at("completed_ok") == 2);
    CHECK(device_stats(s, "ep0").at("completed_error") == 1);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 1);
}

TEST_CASE("pri: a Stop Marker is discarded by the host", "[scenario][pri]") {
    Scenario sc(pri_platform(R"({ "pri": { "stop_marker_at_job_end": true },
        "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "4KiB", "burst": 4096 } } })"));
    const json& s = sc.run();
    CHECK(pri(s).at("stop_markers") == 1);
    CHECK(smmu_stats(s).at("stop_markers") == 1);
    CHECK(driver_stats(s).at("stop_markers_discarded") == 1);
    CHECK(count_or_zero(smmu_stats(s).at("commands"), "CMD_PRI_RESP") == 1);   // for the page, not the marker
}
