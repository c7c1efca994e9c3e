// Intel VT-d end to end: the remapping unit (models/vtd) programmed by the host intel_iommu
// driver, with exact counts for PRS (page requests, page group responses), non-recoverable
// faults (fault recording registers, fault event), page request queue overflow and
// device-TLB invalidation.
#include <catch2/catch.hpp>

#include <string>

#include "models/common/build_info.h"
#include "models/common/units.h"
#include "models/host/host.h"
#include "models/vtd/vtd.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

// bus + DRAM + a VT-d unit "vtd" (no SMMU) + an x86 host with process p0 (PASID 1, 1 MiB
// read-write buffer at 0x400000000) and a root complex rc0 in front of the VT-d.
json vtd_platform(const std::string& patch) {
    json p = base_platform(R"({
      "smmu": null,
      "vtd": { "type": "vtd", "mmio_base": "0x0a000000" },
      "rc0": { "type": "root_complex", "smmu": "vtd", "latency": "150ns" },
      "host": {
        "mm": { "pgtable_format": "x86_64", "user_pool": { "base": "0xa0000000", "size": "256MiB" } },
        "processes": { "p0": { "pasid": 1, "asid": 10, "vmas": {
            "buf": { "start": "0x400000000", "size": "1MiB", "perm": "rw" } } } } }
    })");
    p.merge_patch(json::parse(patch));
    return p;
}

const json& vtd_stats(const json& s) { return s.at("smmus").at("vtd"); }
const json& drv(const json& s) { return s.at("host").at("iommu_drivers").at("host.vtd_driver"); }
const json& pri(const json& s, const char* dev) { return device_stats(s, dev).at("pri"); }

void check_stage_sums(Scenario& sc) {
    for (const auto& r : sc.ctx().faults.records()) {
        REQUIRE(r.closed);
        uint64_t sum = 0;
        for (auto d : r.durations_ps()) sum += d;
        CHECK(sum == r.t_done_ps - r.t_issue_ps);
    }
}

void check_invariants(const json& s) {
    CHECK(s.at("invariants").at("lost_transactions") == 0);
    CHECK(s.at("invariants").at("stalled_at_end") == 0);
}

}  // namespace

TEST_CASE("vtd: one 4-page group through the page request queue and one page group response", "[scenario][vtd]") {
    // 4 page-sized writes over 16 KiB: the first ATS translation request gets a negative
    // completion (R = W = 0), the function sends one group of 4 page requests (LPIG on the
    // 4th), the driver's prq thread reports them to the IOPF queue, which answers once:
    // one page_grp_resp_dsc with Success. The ATS retry succeeds; pages 1-3 translate.
    Scenario sc(vtd_platform(R"({
      "ep0": { "type": "pcie_endpoint", "root_complex": "rc0", "sid": 256, "ecam_base": "0x40000000", "outstanding": 1,
               "pri": { "prg_pages": 4 },
               "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } } },
      "host": { "streams": { "ep0": { "sva": "p0", "pri_credits": 16 } } }
    })"));
    const json& s = sc.run();
    CHECK(pri(s, "ep0").at("page_requests") == 4);
    CHECK(pri(s, "ep0").at("groups") == 1);
    CHECK(pri(s, "ep0").at("success") == 1);
    CHECK(vtd_stats(s).at("page_requests") == 4);
    CHECK(vtd_stats(s).at("prq_written") == 4);
    CHECK(vtd_stats(s).at("prq_overflow") == 0);
    CHECK(vtd_stats(s).at("commands").at("page_grp_resp_dsc") == 1);
    CHECK(vtd_stats(s).at("prg_responses_sent") == 1);
    CHECK(drv(s).at("page_requests_handled") == 4);
    CHECK(drv(s).at("page_responses_sent") == 1);
    CHECK(s.at("host").at("iopf").at("groups") == 1);
    CHECK(s.at("host").at("iopf").at("reported") == 4);
    const json& ats = device_stats(s, "ep0").at("ats");
    CHECK(ats.at("requests") == 5);   // page 0 negative + retry, pages 1-3 positive
    CHECK(ats.at("negative") == 1);
    CHECK(vtd_stats(s).at("ats_negative") == 1);
    CHECK(vtd_stats(s).at("ats_translated") == 4);
    CHECK(vtd_stats(s).at("faults_recorded") == 0);   // an ATS translation fault is not a DMA fault
    CHECK(s.at("host").at("mm").at("processes").at("p0").at("pages_allocated") == 4);
    CHECK(s.at("faults").at("count") == 1);
    CHECK(s.at("faults").at("by_resolution").at("success") == 1);
    CHECK(device_stats(s, "ep0").at("completed_ok") == 4);
    check_stage_sums(sc);
    for (const auto& r : sc.ctx().faults.records()) {
        CHECK(r.smmu == "");      // opened by the endpoint on the negative completion
        CHECK(r.t_prg_response_ps > r.t_page_request_ps);
        CHECK(r.end_ps[size_t(Stage::record)] > 0);   // the PRQ write
        CHECK(r.end_ps[size_t(Stage::irq)] >= r.end_ps[size_t(Stage::record)]);
    }
    check_invariants(s);
}

TEST_CASE("vtd: vtd_prs platform: success, invalid and failure with exact counts", "[scenario][vtd]") {
    json p = json::parse(read_text(std::string(iopf::source_dir()) + "/platforms/vtd_prs.json"), nullptr, true, true);
    Scenario sc(p);
    TempDir dir;
    sc.queue_log(dir.file("q.txt"));
    const json& s = sc.run();
    // ep1: 16 writes of 1 KiB over 16 KiB with 4 outstanding: 4 accesses miss at once, each
    // sends a 1-page group; PASID 2 has no fault handler (iopf off) -> Response Failure for
    // all 4 groups. Response Failure sets the function's PRI Status.RF: its 12 remaining
    // accesses are never sent as page requests. 16 faults resolve failure.
    CHECK(pri(s, "ep1").at("page_requests") == 4);
    CHECK(pri(s, "ep1").at("response_failure") == 4);
    CHECK(pri(s, "ep1").at("status_rf") == true);
    CHECK(pri(s, "ep1").at("blocked") == 12);
    CHECK(pri(s, "ep1").at("page_requests_after_rf") == 0);
    CHECK(device_stats(s, "ep1").at("completed_error") == 16);
    CHECK(drv(s).at("failure_responses") == 4);
    // ep0's c_wild reads 4 pages outside any VMA: each group is answered Invalid Request.
    CHECK(pri(s, "ep0").at("invalid_request") == 4);
    CHECK(device_stats(s, "ep0").at("completed_error") == 4);
    const json& by = s.at("faults").at("by_resolution");
    CHECK(by.at("failure") == 16);
    CHECK(by.at("invalid") == 4);
    CHECK(by.at("success") == 117);
    CHECK(s.at("faults").at("count") == 137);
    // Hardware and software agree on every count.
    const uint64_t requests = pri(s, "ep0").at("page_requests").get<uint64_t>() + 4;
    CHECK(vtd_stats(s).at("page_requests") == requests);
    CHECK(vtd_stats(s).at("prq_written") == requests + vtd_stats(s).at("stop_markers").get<uint64_t>());
    CHECK(drv(s).at("page_requests_handled") == requests);
    CHECK(vtd_stats(s).at("stop_markers") == 3);   // ep0's three jobs end with a Stop Marker
    const uint64_t groups = s.at("host").at("iopf").at("groups");
    CHECK(vtd_stats(s).at("commands").at("page_grp_resp_dsc") == groups + 4);
    CHECK(vtd_stats(s).at("prg_responses_sent") == groups + 4);
    CHECK(vtd_stats(s).at("prq_overflow") == 0);
    CHECK(vtd_stats(s).at("faults_recorded") == 0);
    CHECK(vtd_stats(s).at("inv_errors") == 0);
    // Every wait descriptor of the driver's qi_submit_sync wrote its status.
    CHECK(vtd_stats(s).at("wait_status_writes") == drv(s).at("waits"));
    check_stage_sums(sc);
    check_invariants(s);
    CHECK(s.at("faults").at("stages").at("record").at("count") == 137);

    // The queue log shows both descriptor kinds raw and decoded.
    sc.ctx().queue_log.flush();
    const std::string q = read_text(dir.file("q.txt"));
    CHECK(q.find("vtd prq [0000000101000101 0000000400000003 0000000000000000 0000000000000000] "
                 "page_req_dsc rid=0x0100 pasid=1 addr=0x400000000 prgi=0 R W") != std::string::npos);
    CHECK(q.find("page_grp_resp_dsc rid=0x0101 pasid=2 prgi=0 lpig rc=FAILURE") != std::string::npos);
    CHECK(q.find("rc=INVALID") != std::string::npos);
    CHECK(q.find("rc=SUCCESS") != std::string::npos);
    CHECK(q.find("(stop marker)") != std::string::npos);
}

TEST_CASE("vtd: a non-recoverable DMA fault is recorded in FRCD and handled by dmar_fault", "[scenario][vtd]") {
    // A DMA engine (RID 0x0008, requests without PASID -> RID_PASID 0) with one mapped
    // page reads it, then one unmapped page: the first-stage walk finds P = 0 (SFL.2,
    // fault reason 0x71), the request is aborted, the fault recording register is written
    // and a fault event MSI runs the driver's handler, which clears it.
    Scenario sc(vtd_platform(R"({
      "rc0": null,
      "dma0": { "type": "dma_engine", "smmu": "vtd", "sid": 8, "outstanding": 1,
                "jobs": { "a": { "op": "read", "base": "0x10000000", "length": "8KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB", "perm": "rw" } } } } } } }
    })"));
    const json& s = sc.run();
    CHECK(device_stats(s, "dma0").at("completed_ok") == 1);
    CHECK(device_stats(s, "dma0").at("completed_error") == 1);
    CHECK(vtd_stats(s).at("faults_recorded") == 1);
    CHECK(vtd_stats(s).at("fault_events") == 1);
    CHECK(vtd_stats(s).at("fault_reasons").at("SFL.2 first-stage entry not present") == 1);
    CHECK(vtd_stats(s).at("walks") == 2);
    CHECK(drv(s).at("fault_irqs") == 1);
    CHECK(drv(s).at("faults_handled") == 1);
    CHECK(s.at("faults").at("count") == 1);
    CHECK(s.at("faults").at("by_resolution").at("terminated") == 1);
    REQUIRE(sc.ctx().faults.records().size() == 1);
    const auto& r = sc.ctx().faults.records()[0];
    CHECK(r.smmu == "vtd");
    CHECK(r.event == "FR_0x71");
    CHECK(r.address == 0x10001000ull);
    CHECK(r.end_ps[size_t(Stage::record)] > r.end_ps[size_t(Stage::detect)]);
    check_stage_sums(sc);
    check_invariants(s);
}

TEST_CASE("vtd: a full page request queue overflows, answers LPIG requests itself, and recovers",
          "[scenario][vtd]") {
    // Three functions with 64 outstanding accesses each fault on 64 pages at once with
    // 1-page groups: up to 192 page requests arrive faster than the prq thread drains a
    // 128-entry queue. Overflowing requests are not written; PRS_REG.PRO is set; each (all
    // are LPIG) is answered Success by the hardware, the function retries ATS, faults again
    // and re-sends once software has cleared PRO (the functions retry without a limit
    // here). Every access ends mapped, and each page's request is written exactly once.
    std::string devs;
    for (int i = 0; i < 3; ++i) {
        devs += (i ? "," : "") + std::string("\"ep") + std::to_string(i) +
                "\": { \"type\": \"pcie_endpoint\", \"root_complex\": \"rc0\", \"sid\": " + std::to_string(256 + i) +
                ", \"ecam_base\": \"0x4000" + std::to_string(i) + "000\", \"outstanding\": 64,"
                " \"pri\": { \"capacity\": 64, \"prg_pages\": 1, \"max_retries\": 1000 },"
                " \"jobs\": { \"w\": { \"op\": \"write\", \"ssid\": 1, \"base\": \"" + hex(0x400000000ull + i * 0x40000ull) +
                "\", \"length\": \"256KiB\", \"burst\": 4096 } } }";
    }
    Scenario sc(vtd_platform("{" + devs + R"(, "host": { "streams": {
        "ep0": { "sva": "p0", "pri_credits": 64 }, "ep1": { "sva": "p0", "pri_credits": 64 },
        "ep2": { "sva": "p0", "pri_credits": 64 } } } })"));
    const json& s = sc.run();
    const uint64_t overflow = vtd_stats(s).at("prq_overflow");
    CHECK(overflow > 0);
    CHECK(vtd_stats(s).at("prq_auto_responses") == overflow);   // all overflowing requests are LPIG
    CHECK(drv(s).at("prq_overflows") >= 1);
    for (const char* d : {"ep0", "ep1", "ep2"}) {
        CHECK(device_stats(s, d).at("completed_ok") == 64);
        CHECK(device_stats(s, d).at("completed_error") == 0);
    }
    // Each page is populated once although some of its requests were answered by hardware.
    CHECK(s.at("host").at("mm").at("processes").at("p0").at("pages_allocated") == 192);
    CHECK(vtd_stats(s).at("prq_written") == 192);
    CHECK(vtd_stats(s).at("prq_written").get<uint64_t>() + overflow == vtd_stats(s).at("page_requests").get<uint64_t>());
    CHECK(s.at("faults").at("by_resolution").at("success") == 192);
    check_stage_sums(sc);
    check_invariants(s);
}

TEST_CASE("vtd: munmap flushes the IOTLB and the device-TLB by PASID and waits for completion", "[scenario][vtd]") {
    // ep0 writes 4 pages (one 4-page group), then the process unmaps the buffer: the MMU
    // notifier queues a p_iotlb_inv_dsc and a p_dev_tlb_inv_dsc and an inv_wait_dsc; the
    // unit sends one ATS Invalidate Request and the wait completes after its completion.
    Scenario sc(vtd_platform(R"({
      "ep0": { "type": "pcie_endpoint", "root_complex": "rc0", "sid": 256, "ecam_base": "0x40000000", "outstanding": 1,
               "pri": { "prg_pages": 4 },
               "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } } },
      "host": { "processes": { "p0": { "vmas": { "buf": { "unmap_at": "1ms" } } } },
                "streams": { "ep0": { "sva": "p0", "pri_credits": 16 } } }
    })"));
    const json& s = sc.run();
    CHECK(vtd_stats(s).at("commands").at("p_iotlb_inv_dsc") == 1);
    CHECK(vtd_stats(s).at("commands").at("p_dev_tlb_inv_dsc") == 1);
    CHECK(vtd_stats(s).at("atc_invalidations_sent") == 1);
    CHECK(vtd_stats(s).at("atc_inv_completions") == 1);
    CHECK(drv(s).at("dev_tlb_invalidations") == 1);
    CHECK(device_stats(s, "ep0").at("atc").at("invalidations") == 1);
    CHECK(device_stats(s, "ep0").at("atc").at("entries_invalidated") == 4);
    CHECK(vtd_stats(s).at("wait_status_writes") == drv(s).at("waits"));
    check_invariants(s);
}

TEST_CASE("vtd: the remapping unit reports its capabilities and the driver enables scalable mode",
          "[scenario][vtd]") {
    Scenario sc(vtd_platform(R"({ "rc0": null })"));
    const json& s = sc.run();
    Vtd& v = sc.platform().vtd("vtd");
    CHECK(v.caps().nfr == 8);
    CHECK(drv(s).at("ready") == true);
    // iommu_flush_all at init: one global cc/pc/iotlb invalidation and a wait.
    CHECK(vtd_stats(s).at("commands").at("cc_inv_dsc") == 1);
    CHECK(vtd_stats(s).at("commands").at("pc_inv_dsc") == 1);
    CHECK(vtd_stats(s).at("commands").at("iotlb_inv_dsc") == 1);
    CHECK(vtd_stats(s).at("commands").at("inv_wait_dsc") == 1);
    CHECK(vtd_stats(s).at("mmio_unknown") == 0);
}

TEST_CASE("vtd: SVA behind VT-d with Arm page tables is refused before the run", "[scenario][vtd]") {
    TempDir dir;
    json p = json::parse(read_text(std::string(iopf::source_dir()) + "/platforms/vtd_prs.json"), nullptr, true, true);
    p["host"]["mm"].erase("pgtable_format");
    write_text(dir.file("p.json"), p.dump());
    const CliResult r = run_cli({"--platform", dir.file("p.json"), "--quiet"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("host.mm.pgtable_format") != std::string::npos);
}

TEST_CASE("vtd: reads then writes of two mapped pages: two walks, A set in the tables, four IOTLB hits",
          "[scenario][vtd]") {
    // The IOTLB is the shell's TLB with the x86 rule. The driver's leaves are young and,
    // writable, dirty (Linux's first-level PTEs), so only the reads of job a walk: each walk
    // sets A in the table entries it uses that lack it (PML4E, PDPTE, PDE once: 3 writes);
    // the writes of jobs b and c hit (a write to a clean leaf would walk again to set D;
    // tests/unit/test_walker_x86.cpp checks that rule).
    Scenario sc(vtd_platform(R"({
      "rc0": null,
      "dma0": { "type": "dma_engine", "smmu": "vtd", "sid": 8, "outstanding": 1,
                "jobs": { "a": { "op": "read", "base": "0x10000000", "length": "8KiB", "burst": 4096 },
                          "b": { "op": "write", "base": "0x10000000", "length": "8KiB", "burst": 4096 },
                          "c": { "op": "write", "base": "0x10000000", "length": "8KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "8KiB", "perm": "rw" } } } } } } }
    })"));
    const json& s = sc.run();
    CHECK(device_stats(s, "dma0").at("completed_ok") == 6);
    CHECK(device_stats(s, "dma0").at("completed_error") == 0);
    CHECK(vtd_stats(s).at("translations") == 6);
    CHECK(vtd_stats(s).at("walks") == 2);
    CHECK(vtd_stats(s).at("walk_reads") == 8);
    CHECK(vtd_stats(s).at("tlb_misses") == 2);
    CHECK(vtd_stats(s).at("tlb_hits") == 4);
    CHECK(vtd_stats(s).at("ad_writes") == 3);
    CHECK(s.at("faults").at("count") == 0);
    check_invariants(s);
}

namespace {

// dma0 (4 outstanding) reads one mapped 4 KiB page in 64 B bursts through a VT-d unit with a
// single translation slot: one walk, 63 IOTLB hits.
json one_slot_platform(const char* mode) {
    json p = vtd_platform(R"({
      "rc0": null,
      "vtd": { "timing": { "xlate_slots": 1 } },
      "dma0": { "type": "dma_engine", "smmu": "vtd", "sid": 8, "outstanding": 4,
                "jobs": { "a": { "op": "read", "base": "0x10000000", "length": "4KiB", "burst": 64 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB", "perm": "rw" } } } } } } }
    })");
    p["platform"]["mode"] = mode;
    return p;
}

}  // namespace

TEST_CASE("vtd: accurate mode: IOTLB hits queue for the one translation slot", "[scenario][vtd]") {
    Scenario sc(one_slot_platform("accurate"));
    const json& s = sc.run();
    CHECK(device_stats(s, "dma0").at("completed_ok") == 64);
    CHECK(vtd_stats(s).at("walks") == 1);
    CHECK(vtd_stats(s).at("tlb_hits").get<uint64_t>() + vtd_stats(s).at("tlb_miss_coalesced").get<uint64_t>() == 63);
    CHECK(vtd_stats(s).at("translation_slot_waits").get<uint64_t>() > 32);
    check_invariants(s);
}

TEST_CASE("vtd: fast mode: IOTLB hits take the decoupled path and skip the translation slot", "[scenario][vtd]") {
    // The same config-lookup and IOTLB steps, cache-only, annotated instead of waited: only
    // the transactions that meet the first walk queue for the slot.
    Scenario sc(one_slot_platform("fast"));
    const json& s = sc.run();
    CHECK(device_stats(s, "dma0").at("completed_ok") == 64);
    CHECK(vtd_stats(s).at("translations") == 64);
    CHECK(vtd_stats(s).at("walks") == 1);
    CHECK(vtd_stats(s).at("tlb_hits").get<uint64_t>() + vtd_stats(s).at("tlb_miss_coalesced").get<uint64_t>() == 63);
    CHECK(vtd_stats(s).at("context_cache_hits").get<uint64_t>() >= 60);
    CHECK(vtd_stats(s).at("translation_slot_waits").get<uint64_t>() <= 3);
    check_invariants(s);
}
