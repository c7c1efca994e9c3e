// Stall-on-fault end to end (SMMUv3 stall model + host IOPF path) with exactly predicted
// counts. Every test elaborates one platform built on harness base_platform().
#include <catch2/catch.hpp>

#include <string>

#include "models/common/fault_tracker.h"
#include "models/host/host.h"
#include "models/smmu/v3/smmu_v3.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

// One stalling DMA device (SID 16) doing SVA work for process p0 (PASID 1), whose VMAs are
// a 64 KiB read-write heap at 0x400000000 and a 16 KiB read-only area at 0x500000000.
// `jobs` is the device's "jobs" object; `extra` patches anything else.
json sva_platform(const std::string& jobs, const std::string& extra = "{}") {
    json p = base_platform(R"({
      "smmu": { "features": { "stall_model": "stall_term", "stall_max": 32 } },
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 16, "can_stall": true, "outstanding": 1 },
      "host": {
        "mm": { "user_pool": { "base": "0xa0000000", "size": "256MiB" } },
        "processes": { "p0": { "pasid": 1, "asid": 10, "vmas": {
            "heap":   { "start": "0x400000000", "size": "64KiB", "perm": "rw" },
            "rodata": { "start": "0x500000000", "size": "16KiB", "perm": "r" } } } },
        "streams": { "dma0": { "sva": "p0" } } }
    })");
    p["dma0"]["jobs"] = json::parse(jobs);
    p.merge_patch(json::parse(extra));
    return p;
}

const json& proc_stats(const json& s) { return s.at("host").at("mm").at("processes").at("p0"); }
uint64_t cmd(const json& s, const char* name) { return count_or_zero(smmu_stats(s).at("commands"), name); }

void check_stage_partition(Scenario& sc) {
    for (const auto& r : sc.ctx().faults.records()) {
        REQUIRE(r.closed);
        uint64_t sum = 0;
        for (auto d : r.durations_ps()) sum += d;
        CHECK(sum == r.t_done_ps - r.t_issue_ps);
    }
}

}  // namespace

TEST_CASE("stall: N first-touch writes give N stalls - N SUCCESS resumes and N page allocations",
          "[scenario][stall]") {
    // 8 writes of 4 KiB, one per page of the untouched heap, one at a time.
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "32KiB", "burst": 4096 } })"));
    const json& s = sc.run();
    const json& m = smmu_stats(s);
    CHECK(s.at("faults").at("count") == 8);
    CHECK(s.at("faults").at("by_resolution").at("success") == 8);
    CHECK(m.at("stalls") == 8);
    CHECK(m.at("resumes") == 8);
    CHECK(m.at("events_by_type").at("F_TRANSLATION") == 8);
    CHECK(cmd(s, "CMD_RESUME") == 8);
    CHECK(driver_stats(s).at("resumes_sent") == 8);
    // Each access walks twice: once to fault, once after RETRY (faults are not cached).
    CHECK(m.at("walks") == 16);
    CHECK(m.at("translations") == 16);
    CHECK(proc_stats(s).at("pages_allocated") == 8);
    CHECK(proc_stats(s).at("zero_page_maps") == 0);
    const json& d = device_stats(s, "dma0");
    CHECK(d.at("completed_ok") == 8);
    CHECK(d.at("completed_error") == 0);
    CHECK(s.at("invariants").at("stalled_at_end") == 0);
    check_stage_partition(sc);
}

TEST_CASE("stall: reads map the zero page - a later write copies on write and invalidates the TLB",
          "[scenario][stall]") {
    // 4 page reads, then 4 page writes to the same pages.
    Scenario sc(sva_platform(R"({
        "a_read":  { "op": "read",  "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 },
        "b_write": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } })"));
    const json& s = sc.run();
    // Reads: F_TRANSLATION -> zero page (read-only). Writes: F_PERMISSION -> CoW.
    CHECK(smmu_stats(s).at("events_by_type").at("F_TRANSLATION") == 4);
    CHECK(smmu_stats(s).at("events_by_type").at("F_PERMISSION") == 4);
    CHECK(s.at("faults").at("by_resolution").at("success") == 8);
    CHECK(proc_stats(s).at("zero_page_maps") == 4);
    CHECK(proc_stats(s).at("cow") == 4);
    CHECK(proc_stats(s).at("pages_allocated") == 4);
    // Break-before-make on each CoW: one TLBI_NH_VA for the page, then CMD_SYNC.
    CHECK(cmd(s, "CMD_TLBI_NH_VA") == 4);
    CHECK(device_stats(s, "dma0").at("completed_ok") == 8);
    check_stage_partition(sc);
}

TEST_CASE("stall: accesses outside any VMA and writes to a read-only VMA resolve INVALID -> ABORT",
          "[scenario][stall]") {
    Scenario sc(sva_platform(R"({
        "a_wild":  { "op": "read",  "ssid": 1, "pattern": "strided", "base": "0x600000000", "length": "8KiB", "stride": "4KiB", "burst": 64 },
        "b_ro":    { "op": "write", "ssid": 1, "base": "0x500000000", "length": "4KiB", "burst": 4096 } })"));
    const json& s = sc.run();
    CHECK(s.at("faults").at("count") == 3);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 3);
    CHECK(s.at("host").at("iopf").at("responses").at("invalid") == 3);
    CHECK(smmu_stats(s).at("aborted") == 3);
    CHECK(cmd(s, "CMD_RESUME") == 3);
    const json& d = device_stats(s, "dma0");
    CHECK(d.at("completed_error") == 3);
    CHECK(d.at("completed_ok") == 0);
    // Nothing was populated.
    CHECK(proc_stats(s).at("pages_allocated") == 0);
    CHECK(proc_stats(s).at("zero_page_maps") == 0);
}

TEST_CASE("stall: a device whose driver did not enable IOPF gets FAILURE -> ABORT", "[scenario][stall]") {
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "8KiB", "burst": 4096 } })",
                             R"({ "host": { "streams": { "dma0": { "iopf": false } } } })"));
    const json& s = sc.run();
    CHECK(s.at("faults").at("by_resolution").at("failure") == 2);
    CHECK(driver_stats(s).at("failure_responses") == 2);
    CHECK(device_stats(s, "dma0").at("completed_error") == 2);
    CHECK(s.at("host").at("iopf").at("rejected") == 2);
}

TEST_CASE("stall: a full stall table back-pressures the device and loses nothing", "[scenario][stall]") {
    // 8 accesses to 8 different untouched pages all in flight at once; only 2 may stall.
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "32KiB", "burst": 4096 } })",
                             R"({ "smmu": { "features": { "stall_max": 2 } }, "dma0": { "outstanding": 8 } })"));
    const json& s = sc.run();
    const json& m = smmu_stats(s);
    CHECK(m.at("stalls") == 8);
    CHECK(m.at("stall_table_waits") == 6);   // 8 faulting transactions, 2 entries
    CHECK(s.at("faults").at("by_resolution").at("success") == 8);
    CHECK(device_stats(s, "dma0").at("completed_ok") == 8);
    CHECK(s.at("invariants").at("lost_transactions") == 0);
    CHECK(s.at("invariants").at("stalled_at_end") == 0);
}

TEST_CASE("stall: stall records wait for a full event queue instead of overflowing", "[scenario][stall]") {
    // A 2-entry event queue and 8 simultaneous stalls.
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "32KiB", "burst": 4096 } })",
                             R"({ "dma0": { "outstanding": 8 }, "host": { "smmu_driver": { "evtq_log2size": 1 } } })"));
    const json& s = sc.run();
    const json& m = smmu_stats(s);
    CHECK(m.at("stalls") == 8);
    CHECK(m.at("events_lost") == 0);
    CHECK(m.at("stall_record_waits") > 0);
    CHECK(m.at("events_by_type").at("F_TRANSLATION") == 8);
    CHECK(driver_stats(s).at("events_handled") == 8);
    CHECK(driver_stats(s).at("evtq_overflows") == 0);
    CHECK(s.at("faults").at("by_resolution").at("success") == 8);
    CHECK(device_stats(s, "dma0").at("completed_ok") == 8);
}

TEST_CASE("stall: two devices faulting on one page both complete with one page allocation",
          "[scenario][stall]") {
    json p = sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "4KiB", "burst": 4096 } })",
                          R"({ "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 17, "can_stall": true, "outstanding": 1,
                                         "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "4KiB", "burst": 4096 } } },
                               "host": { "streams": { "dma1": { "sva": "p0" } } } })");
    Scenario sc(p);
    const json& s = sc.run();
    CHECK(smmu_stats(s).at("stalls") == 2);
    CHECK(s.at("faults").at("by_resolution").at("success") == 2);
    CHECK(proc_stats(s).at("faults") == 2);
    CHECK(proc_stats(s).at("pages_allocated") == 1);
    CHECK(proc_stats(s).at("spurious") == 1);   // the second handler found the PTE in place
    CHECK(device_stats(s, "dma0").at("completed_ok") == 1);
    CHECK(device_stats(s, "dma1").at("completed_ok") == 1);
}

TEST_CASE("stall: PASID teardown with faults in flight answers every fault - nothing stays stalled",
          "[scenario][stall]") {
    // 16 page writes, 4 in flight; the process exits after 20 us, mid-job.
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "64KiB", "burst": 4096 } })",
                             R"({ "dma0": { "outstanding": 4 }, "host": { "processes": { "p0": { "exit_at": "20us" } } } })"));
    const json& s = sc.run();
    const json& d = device_stats(s, "dma0");
    CHECK(d.at("issued") == 16);
    CHECK(d.at("completed_ok").get<uint64_t>() + d.at("completed_error").get<uint64_t>() == 16);
    CHECK(d.at("completed_error").get<uint64_t>() > 0);   // after the teardown: C_BAD_CD, terminated
    CHECK(d.at("completed_ok").get<uint64_t>() > 0);      // before it: demand-paged
    CHECK(count_or_zero(smmu_stats(s).at("events_by_type"), "C_BAD_CD") == d.at("completed_error").get<uint64_t>());
    CHECK(count_or_zero(smmu_stats(s).at("commands"), "CMD_CFGI_CD") == 1);
    CHECK(count_or_zero(smmu_stats(s).at("commands"), "CMD_TLBI_NH_ASID") == 1);
    CHECK(s.at("invariants").at("stalled_at_end") == 0);
    CHECK(s.at("invariants").at("lost_transactions") == 0);
    CHECK(s.at("invariants").at("open_faults") == 0);
    CHECK(sc.platform().smmu("smmu").stalled_count() == 0);
}

TEST_CASE("stall: munmap clears PTEs - invalidates with TLBI_NH_VA + CMD_SYNC - later accesses are INVALID",
          "[scenario][stall]") {
    // 4 page writes populate (driver ready at ~9 us, ~8.5 us per fault: done by ~45 us); the
    // VMA goes at 60 us; 4 more writes to it start at 80 us.
    Scenario sc(sva_platform(R"({
        "a": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 },
        "b": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096, "start": "80us" } })",
                             R"({ "host": { "processes": { "p0": { "vmas": { "heap": { "unmap_at": "60us" } } } } } })"));
    const json& s = sc.run();
    // 64 KiB VMA = 16 pages <= tlbi_page_limit (512): one TLBI_NH_VA per page.
    CHECK(count_or_zero(smmu_stats(s).at("commands"), "CMD_TLBI_NH_VA") == 16);
    CHECK(s.at("faults").at("by_resolution").at("success") == 4);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 4);
    CHECK(device_stats(s, "dma0").at("completed_ok") == 4);
    CHECK(device_stats(s, "dma0").at("completed_error") == 4);
}

TEST_CASE("stall: stage durations of every fault add up to its total, all eight stages present",
          "[scenario][stall]") {
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } })"));
    const json& s = sc.run();
    check_stage_partition(sc);
    const json& st = s.at("faults").at("stages");
    for (const char* k : {"detect", "record", "irq", "dispatch", "queue", "mm_fault", "respond", "retry"}) {
        INFO(k);
        CHECK(st.at(k).at("count") == 4);
        CHECK(st.at(k).at("min").get<double>() > 0.0);   // every stage is on the stall path
    }
    double sum = 0;
    for (auto it = st.begin(); it != st.end(); ++it) sum += it->at("mean").get<double>();
    CHECK(sum == Approx(s.at("faults").at("latency_ns").at("mean").get<double>()));
}

TEST_CASE("stall: with free cores the queue stage is exactly the worker wake-up cost", "[scenario][stall]") {
    // One device, one fault at a time, 4 cores: the IOPF worker wakes after
    // host.iopf.workqueue.wakeup_cost and the fault waits for nothing else.
    Scenario sc(sva_platform(R"({ "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "16KiB", "burst": 4096 } })",
                             R"({ "host": { "iopf": { "workqueue": { "wakeup_cost": "1700ns" } } } })"));
    const json& s = sc.run();
    const json& q = s.at("faults").at("stages").at("queue");
    CHECK(q.at("min").get<double>() == Approx(1700.0));
    CHECK(q.at("max").get<double>() == Approx(1700.0));
}
