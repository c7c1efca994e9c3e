// Fault injection (models/common/inject.h, docs/reliability.md "Error paths"): each
// architected error path taken on a shipped platform, the host driver recovering the way
// Linux does, and the run's invariants (conservation, no stall left, no open fault, stages
// partitioning each fault, isolation) still holding. The baseline figures are those of the
// platform without injection (sva_stall: 38 faults, 32 success + 6 invalid; pcie_pri: 145
// faults, ep0 576 OK + 4 errors).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/build_info.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

// A shipped platform with `inject` as its platform.inject object.
json shipped(const std::string& name, const std::string& inject) {
    json p = json::parse(read_text(std::string(iopf::source_dir()) + "/platforms/" + name + ".json"), nullptr, true, true);
    p["platform"]["inject"] = json::parse(inject);
    return p;
}

void check_invariants(Scenario& sc, const json& s) {
    CHECK(s.at("run").at("finished") == true);
    for (const char* k : {"lost_transactions", "stalled_at_end", "deadlock", "open_faults"}) {
        INFO(k);
        CHECK(s.at("invariants").at(k) == 0);
    }
    for (const auto& r : sc.ctx().faults.records()) {   // stages partition each fault's lifetime
        REQUIRE(r.closed);
        uint64_t sum = 0;
        for (auto d : r.durations_ps()) sum += d;
        CHECK(sum == r.t_done_ps - r.t_issue_ps);
    }
    for (const auto& [name, d] : s.at("devices").items())
        CHECK(d.at("issued").get<uint64_t>() == d.at("completed_ok").get<uint64_t>() + d.at("completed_error").get<uint64_t>());
}

uint64_t fired(const json& s, const std::string& name) { return s.at("inject").at(name).at("point_fired"); }

}  // namespace

TEST_CASE("inject: an aborted event write loses no stall, its record is written again once GERRORN acknowledges",
          "[scenario][inject][smmu_v3]") {
    // The first event record write aborts (synchronous: PROD stays). The queue is unwritable
    // until the driver's GERROR handler writes GERRORN; the stall's record is then written
    // and the fault resolves as without injection.
    TempDir tmp;
    Scenario sc(shipped("sva_stall", R"({ "e": { "target": "smmu", "point": "evtq_write" } })"));
    sc.queue_log(tmp.path() + "/q.txt");
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "e") == 1);
    const json& m = smmu_stats(s);
    CHECK(m.at("evtq_aborts") == 1);
    CHECK(m.at("events") == 38);                 // the aborted write is not an event recorded
    CHECK(m.at("stall_record_waits").get<uint64_t>() >= 1);
    CHECK(driver_stats(s).at("gerrors_handled") == 1);
    CHECK(s.at("faults").at("count") == 38);
    CHECK(s.at("faults").at("by_resolution").at("success") == 32);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 6);
    // The queue log: the aborted record, then the same record (same address and STAG) written.
    const auto lines = lines_of(read_text(tmp.path() + "/q.txt"));
    std::string aborted;
    size_t at = 0;
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].find(" evtq-abort ") != std::string::npos) { aborted = lines[i]; at = i; break; }
    REQUIRE(!aborted.empty());
    const std::string body = aborted.substr(aborted.find(']') + 1);   // the decoded record
    bool rewritten = false;
    for (size_t i = at + 1; i < lines.size(); ++i)
        rewritten |= lines[i].find(" evtq ") != std::string::npos && lines[i].substr(lines[i].find(']') + 1) == body;
    CHECK(rewritten);
}

TEST_CASE("inject: a command fetch abort stops the queue with CERROR_ABT, the driver acknowledges and the fetch is retried",
          "[scenario][inject][smmu_v3]") {
    // At 12 us the driver is attaching streams: its next command fetch aborts. Like
    // arm_smmu_cmdq_skip_err() the handler leaves an aborted fetch as it is, writes GERRORN,
    // and the SMMU fetches the same command again.
    Scenario sc(shipped("sva_stall", R"({ "c": { "target": "smmu", "point": "cmdq_fetch", "at": "12us" } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "c") == 1);
    CHECK(smmu_stats(s).at("cmdq_errors") == 1);
    CHECK(driver_stats(s).at("cmdq_errors_handled") == 1);
    CHECK(s.at("faults").at("by_resolution").at("success") == 32);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 6);
}

TEST_CASE("inject: an aborted MSI sets GERROR.MSI_EVENTQ_ABT_ERR, the next event's MSI drains the queue",
          "[scenario][inject][smmu_v3]") {
    Scenario sc(shipped("sva_stall", R"({ "m": { "target": "smmu", "point": "msi_write", "at": "9us" } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "m") == 1);
    CHECK(smmu_stats(s).at("msi_aborts") == 1);
    CHECK(driver_stats(s).at("gerrors_handled") == 1);
    CHECK(s.at("faults").at("by_resolution").at("success") == 32);
    CHECK(s.at("faults").at("by_resolution").at("invalid") == 6);
}

TEST_CASE("inject: STE fetch, CD fetch and walk aborts each terminate one transaction with their event",
          "[scenario][inject][smmu_v3]") {
    // The aborted configuration is not cached, so each point fires on the next transaction
    // that reaches it: three aborts, three terminated faults, the rest as without injection.
    Scenario sc(shipped("sva_stall", R"({
        "s": { "target": "smmu", "point": "ste_fetch" },
        "c": { "target": "smmu", "point": "cd_fetch" },
        "w": { "target": "smmu", "point": "walk_read" } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    const json& ev = smmu_stats(s).at("events_by_type");
    CHECK(ev.at("F_STE_FETCH") == 1);
    CHECK(ev.at("F_CD_FETCH") == 1);
    CHECK(ev.at("F_WALK_EABT") == 1);
    CHECK(s.at("faults").at("by_resolution").at("terminated") == 3);
    CHECK(s.at("faults").at("by_resolution").at("success") == 32);
    CHECK(device_stats(s, "dma0").at("completed_error").get<uint64_t>() +
              device_stats(s, "dma1").at("completed_error").get<uint64_t>() == 6 + 3);
}

TEST_CASE("inject: a PRI queue write abort answers the PPR itself with Response Failure and refuses PPRs until GERRORN",
          "[scenario][inject][smmu_v3][pri]") {
    // IHI 0070 8.2: the aborted PPR and every PPR arriving while PRIQ_ABT_ERR is active get
    // an automatic Response Failure, which stops the function's PRI (Status.RF): ep0's
    // remaining faulting accesses fail instead of resolving.
    Scenario sc(shipped("pcie_pri", R"({ "p": { "target": "smmu", "point": "priq_write" } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    const json& m = smmu_stats(s);
    CHECK(m.at("priq_aborts") == 1);
    CHECK(m.at("pri_auto_responses") == m.at("priq_aborts").get<uint64_t>() + m.at("pri_dropped_abort").get<uint64_t>());
    CHECK(driver_stats(s).at("gerrors_handled") == 1);
    CHECK(s.at("faults").at("by_resolution").at("success") == 0);
    CHECK(device_stats(s, "ep0").at("completed_error").get<uint64_t>() > 4);
}

TEST_CASE("inject: SMMU-500 walk abort is FSR.EF on the bank, a lost stream match is the global fault USF",
          "[scenario][inject][smmu_v2]") {
    Scenario sc(shipped("gpu_deferred_resume", R"({
        "w": { "target": "smmu", "point": "walk_read" },
        "u": { "target": "smmu", "point": "smr_match", "at": "100us", "count": 2 } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "w") == 1);
    CHECK(fired(s, "u") == 2);
    const json& d = s.at("host").at("smmu_v2_drivers").begin().value();
    CHECK(d.at("global_faults") == 1);   // both USFs before the handler ran: USF | MULTI, one interrupt
    bool ef = false;
    for (const auto& f : d.at("faults")) ef |= f.at("fsr_bits").get<std::string>().find("EF") != std::string::npos;
    CHECK(ef);
    CHECK(s.at("faults").at("by_resolution").at("terminated") == 32 + 1);   // the EF is a context fault
    // Errors: the 32 of the platform, the aborted walk, what HUPCF = 0 terminated behind its
    // fault on the same bank until the handler cleared FSR, and the two unmatched streams.
    const json& m = smmu_stats(s);
    uint64_t under_fault = 0;
    for (const auto& [cb, b] : m.at("context_banks").items()) under_fault += b.at("terminated_under_fault").get<uint64_t>();
    CHECK(under_fault > 0);
    CHECK(m.at("stream_faults") == 2);
    CHECK(device_stats(s, "gpu0").at("completed_error").get<uint64_t>() + device_stats(s, "dma1").at("completed_error").get<uint64_t>() ==
          32 + 1 + under_fault + 2);
}

TEST_CASE("inject: a VT-d walk abort is a fault record, the access fails, the rest resolves", "[scenario][inject][vtd]") {
    Scenario sc(shipped("vtd_prs", R"({ "w": { "target": "vtd", "point": "walk_read", "count": 2 } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "w") == 2);
    CHECK(smmu_stats(s, "vtd").at("events") == 2);
    CHECK(device_stats(s, "ep0").at("completed_error") == 4 + 2);
}

TEST_CASE("inject: a delayed interrupt and a stalled core show in the irq stage and the core's time",
          "[scenario][inject][host]") {
    // The first interrupt (the first fault's event) reaches its core 50 us late; core 1 is
    // stalled for 100 us from 5 us (a hard-IRQ-like block).
    Scenario sc(shipped("sva_stall", R"({
        "d": { "target": "host", "point": "irq.delay", "duration": "50us" },
        "c": { "target": "host", "point": "cpu.stall", "at": "5us", "duration": "100us", "core": 1 } })"));
    const json& s = sc.run();
    check_invariants(sc, s);
    CHECK(fired(s, "d") == 1);
    CHECK(fired(s, "c") == 1);
    CHECK(s.at("host").at("cpu").at("per_core").at(1).at("hardirq_ns").get<double>() >= 100000.0);
    CHECK(s.at("host").at("cpu").at("busy_ns").at("injected_stall") == 100000.0);
    uint64_t delayed = 0;
    for (const auto& [n, l] : s.at("host").at("irqs").items()) delayed += l.value("delayed", 0);
    CHECK(delayed == 1);
    CHECK(s.at("faults").at("stages").at("irq").at("max").get<double>() >= 50000.0);
    CHECK(s.at("faults").at("by_resolution").at("success") == 32);
}
