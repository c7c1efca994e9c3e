// Scenario tests of the translation path through a full platform (devices -> SMMUv3 ->
// interconnect -> DRAM, host driver programming the SMMU). Every expected number is derived
// in a comment from the platform parameters. One elaboration per TEST_CASE.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/payload.h"
#include "models/devices/dma_engine.h"
#include "models/host/host.h"
#include "models/memory/memory.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/smmu_v3.h"
#include "models/host/smmu_v3_driver.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;
namespace v3 = iopf::smmu::v3;

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t kPage = 4096;

// Bytes in [pa, pa+len) that differ from what a DMA write of input address va.. puts there.
size_t pattern_mismatches(const BackingStore& store, uint64_t pa, uint64_t va, uint64_t len) {
    std::vector<uint8_t> buf(len);
    store.read(pa, buf.data(), len);
    size_t bad = 0;
    for (uint64_t i = 0; i < len; ++i) bad += buf[i] != pattern_byte(va + i);
    return bad;
}

size_t nonzero_bytes(const BackingStore& store, uint64_t pa, uint64_t len) {
    std::vector<uint8_t> buf(len);
    store.read(pa, buf.data(), len);
    return static_cast<size_t>(std::count_if(buf.begin(), buf.end(), [](uint8_t b) { return b != 0; }));
}

// Lines of a queue log for one queue ("cmdq", "evtq"), with their raw words decoded.
struct LogEntry {
    std::string queue;
    std::vector<uint64_t> words;
    std::string decoded;
};
std::vector<LogEntry> parse_queue_log(const std::string& text) {
    static const std::regex line(R"(^\s*[0-9.]+ (\S+) (\S+) \[([0-9a-f ]+)\] (.*)$)");
    std::vector<LogEntry> out;
    for (const auto& l : lines_of(text)) {
        std::smatch m;
        if (!std::regex_match(l, m, line)) continue;
        LogEntry e;
        e.queue = m[2];
        std::istringstream ws(m[3].str());
        std::string w;
        while (ws >> w) e.words.push_back(std::stoull(w, nullptr, 16));
        e.decoded = m[4];
        out.push_back(e);
    }
    return out;
}

// The common single-device platform of the TLB / walk tests: dma0 (SID 1, ASID 1) reads
// `jobs`, VA 0x10000000 -> PA 0x90000000, 32 KiB (8 pages) mapped read/write.
json one_reader(const std::string& jobs, unsigned outstanding) {
    return base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": )" +
                         std::to_string(outstanding) + R"(, "jobs": )" + jobs + R"( },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "32KiB", "perm": "rw" } } } } } } }
    })");
}

}  // namespace

// ---------------------------------------------------------------------------------------
// TLB, walks, coalescing

TEST_CASE("translate: sequential reads with one outstanding walk once per page", "[scenario][translate][tlb]") {
    // N = 32 KiB / 1 KiB burst = 32 reads over M = 32 KiB / 4 KiB = 8 pages, in order, one
    // at a time: the first read of each page misses and walks, the other 3 hit.
    Scenario s(one_reader(R"({ "a_read": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 1024 } })", 1));
    const auto& st = s.run();
    const uint64_t N = 32 * KiB / 1024, M = 32 * KiB / kPage;
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("translations") == N);
    CHECK(sm.at("tlb_misses") == M);
    CHECK(sm.at("walks") == M);
    CHECK(sm.at("tlb_hits") == N - M);
    CHECK(sm.at("tlb_miss_coalesced") == 0);
    // 4 KiB granule, 48-bit VA (T0SZ 16): walks start at level 0, so 4 descriptor reads each.
    CHECK(sm.at("walk_reads") == 4 * M);
    // One STE and one CD miss on the first translation, then hits (2 lookups each).
    CHECK(sm.at("config_cache_misses") == 2);
    CHECK(sm.at("config_cache_hits") == 2 * N - 2);
    CHECK(sm.at("events") == 0);
    const auto& d = device_stats(st, "dma0");
    CHECK(d.at("issued") == N);
    CHECK(d.at("completed_ok") == N);
    CHECK(d.at("completed_error") == 0);
    CHECK(d.at("bytes") == N * 1024);
    CHECK(st.at("invariants").at("lost_transactions") == 0);
    CHECK(st.at("run").at("finished") == true);
}

TEST_CASE("translate: four outstanding reads of one page share one walk", "[scenario][translate][tlb]") {
    // Same job as above with 4 slots. Walks still equal the page count M = 8: a miss on a
    // page whose walk is in flight waits for it (tlb_miss_coalesced). Every miss is either a
    // walk or coalesced, every translation a hit or a miss. The 4 slots issue reads 0..3
    // (all in page 0) at the same instant, so at least 3 misses coalesce.
    Scenario s(one_reader(R"({ "a_read": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 1024 } })", 4));
    const auto& st = s.run();
    const uint64_t N = 32, M = 8;
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("translations") == N);
    CHECK(sm.at("walks") == M);
    CHECK(sm.at("walk_reads") == 4 * M);
    CHECK(sm.at("tlb_misses").get<uint64_t>() == M + sm.at("tlb_miss_coalesced").get<uint64_t>());
    CHECK(sm.at("tlb_hits").get<uint64_t>() + sm.at("tlb_misses").get<uint64_t>() == N);
    CHECK(sm.at("tlb_miss_coalesced").get<uint64_t>() >= 3);
    CHECK(device_stats(st, "dma0").at("completed_ok") == N);
}

TEST_CASE("translate: large TLB 128x4 keeps 8 pages across two passes", "[scenario][translate][tlb]") {
    // Two passes (jobs a, b) of 16 reads of 2 KiB over the same 8 pages, one outstanding.
    // 128/4 = 32 sets; consecutive pages use 8 different sets: everything fits.
    // Pass 1: 8 misses + 8 hits; pass 2: 16 hits. => hits 24, misses 8, walks 8, no eviction.
    const std::string jobs = R"({
      "a_pass1": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048 },
      "b_pass2": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048 } })";
    Scenario s(one_reader(jobs, 1), {"smmu.tlb.entries=128", "smmu.tlb.ways=4"});
    const auto& sm = smmu_stats(s.run());
    CHECK(sm.at("translations") == 32);
    CHECK(sm.at("tlb_hits") == 24);
    CHECK(sm.at("tlb_misses") == 8);
    CHECK(sm.at("walks") == 8);
    CHECK(sm.at("tlb_evictions") == 0);
}

TEST_CASE("translate: small direct-mapped TLB 4x1 thrashes on 8 pages", "[scenario][translate][tlb]") {
    // Same job, TLB 4 entries / 1 way = 4 sets: page p uses set p % 4, pages p and p+4 evict
    // each other. Pass 1: each page misses once then hits once (8 misses, 8 hits, pages 4..7
    // evict 0..3: 4 evictions). Pass 2: page 0 finds page 4 in its set, and so on: again
    // 8 misses + 8 hits, 8 evictions. => hits 16, misses 16, walks 16, evictions 12.
    const std::string jobs = R"({
      "a_pass1": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048 },
      "b_pass2": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048 } })";
    Scenario s(one_reader(jobs, 1), {"smmu.tlb.entries=4", "smmu.tlb.ways=1"});
    const auto& sm = smmu_stats(s.run());
    CHECK(sm.at("translations") == 32);
    CHECK(sm.at("tlb_hits") == 16);
    CHECK(sm.at("tlb_misses") == 16);
    CHECK(sm.at("walks") == 16);
    CHECK(sm.at("tlb_evictions") == 12);
}

// ---------------------------------------------------------------------------------------
// Faults (terminate model)

TEST_CASE("translate: strided probe over partly unmapped range terminates exactly the unmapped pages",
          "[scenario][translate][fault]") {
    // P = 48 KiB / 4 KiB stride = 12 reads of 64 B, one per page 0..11 of 0x20000000.
    // Mapped: pages 0-3 and 6-9; unmapped: 4, 5, 10, 11 => K = 4 F_TRANSLATION faults.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 2, "jobs": {
          "probe": { "op": "read", "pattern": "strided", "base": "0x20000000", "length": "48KiB",
                     "stride": "4KiB", "burst": 64 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 3, "mappings": {
          "lo": { "va": "0x20000000", "pa": "0x90000000", "size": "16KiB" },
          "hi": { "va": "0x20006000", "pa": "0x90100000", "size": "16KiB" } } } } } } }
    })"));
    const auto& st = s.run();
    const uint64_t P = 12, K = 4;
    const std::set<uint64_t> unmapped = {0x20004000, 0x20005000, 0x2000a000, 0x2000b000};

    const auto& d = device_stats(st, "dma0");
    CHECK(d.at("issued") == P);
    CHECK(d.at("completed_error") == K);
    CHECK(d.at("completed_ok") == P - K);
    CHECK(d.at("issued").get<uint64_t>() ==
          d.at("completed_ok").get<uint64_t>() + d.at("completed_error").get<uint64_t>());

    const auto& sm = smmu_stats(st);
    CHECK(count_or_zero(sm.at("events_by_type"), "F_TRANSLATION") == K);
    CHECK(sm.at("events") == K);          // nothing else recorded
    CHECK(sm.at("events_lost") == 0);
    CHECK(sm.at("aborted") == K);         // CD.A = 1: terminated with an abort
    CHECK(sm.at("walks") == P);           // every page walked once; faults fill no TLB entry
    CHECK(sm.at("stalls") == 0);

    // The host consumed every record.
    const auto& drv = driver_stats(st);
    CHECK(drv.at("events_handled") == K);
    CHECK(count_or_zero(drv.at("events_by_type"), "F_TRANSLATION") == K);
    CHECK(s.platform().host().nth_driver<SmmuV3Driver>(0).events_handled() == K);

    const auto& f = st.at("faults");
    CHECK(f.at("count") == K);
    CHECK(f.at("by_resolution").at("terminated") == K);
    CHECK(f.at("by_resolution").at("success") == 0);
    CHECK(f.at("by_resolution").at("invalid") == 0);
    CHECK(f.at("by_resolution").at("failure") == 0);
    CHECK(st.at("invariants").at("open_faults") == 0);

    // Each fault: the right address once, and stage durations partitioning issue..done.
    const auto& recs = s.ctx().faults.records();
    REQUIRE(recs.size() == K);
    std::set<uint64_t> seen;
    for (const auto& r : recs) {
        INFO("fault " << r.id << " at 0x" << std::hex << r.address);
        CHECK(r.closed);
        CHECK(r.event == "F_TRANSLATION");
        CHECK(r.device == "dma0");
        CHECK(r.sid == 1);
        CHECK_FALSE(r.write);
        CHECK(r.resolution == Resolution::terminated);
        CHECK(unmapped.count(r.address) == 1);
        seen.insert(r.address);
        CHECK(r.t_done_ps > r.t_issue_ps);
        uint64_t sum = 0;
        for (auto v : r.durations_ps()) sum += v;
        CHECK(sum == r.t_done_ps - r.t_issue_ps);
        // The walk takes time before it finds the fault.
        CHECK(r.durations_ps()[static_cast<size_t>(Stage::detect)] > 0);
    }
    CHECK(seen == unmapped);
}

TEST_CASE("translate: write to a read-only mapping is a permission fault while reads succeed",
          "[scenario][translate][fault]") {
    // Job a: 4 writes of 2 KiB over 8 KiB mapped "r"; job b reads them back.
    // => 4 F_PERMISSION (write), job b 4 OK, nothing written at the PA.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "a_write": { "op": "write", "base": "0x30000000", "length": "8KiB", "burst": 2048 },
          "b_read":  { "op": "read",  "base": "0x30000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "ro": { "va": "0x30000000", "pa": "0x90000000", "size": "8KiB", "perm": "r" } } } } } } }
    })"));
    const auto& st = s.run();
    const auto& jobs = device_stats(st, "dma0").at("jobs");
    CHECK(jobs.at("a_write").at("completed_error") == 4);
    CHECK(jobs.at("a_write").at("completed_ok") == 0);
    CHECK(jobs.at("b_read").at("completed_ok") == 4);
    CHECK(jobs.at("b_read").at("completed_error") == 0);
    const auto& sm = smmu_stats(st);
    CHECK(count_or_zero(sm.at("events_by_type"), "F_PERMISSION") == 4);
    CHECK(sm.at("events") == 4);
    CHECK(driver_stats(st).at("events_handled") == 4);
    for (const auto& r : s.ctx().faults.records()) {
        CHECK(r.event == "F_PERMISSION");
        CHECK(r.write);
    }
    CHECK(st.at("faults").at("count") == 4);
    CHECK(nonzero_bytes(s.platform().memory("dram").store(), 0x90000000, 8 * KiB) == 0);
}

TEST_CASE("translate: unprivileged write to a priv_only mapping faults and a privileged one lands",
          "[scenario][translate][fault]") {
    // dma0 (PnU=0) and dma1 (priv: PnU=1) each write 4 x 2 KiB to a priv_only mapping (AP[1]=0:
    // no EL0 access). => dma0: 4 F_PERMISSION, nothing at its PA; dma1: 4 OK, data at its PA.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "w": { "op": "write", "base": "0x30000000", "length": "8KiB", "burst": 2048 } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 2, "priv": true, "outstanding": 1, "jobs": {
          "w": { "op": "write", "base": "0x30000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "streams": {
          "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
              "k": { "va": "0x30000000", "pa": "0x90000000", "size": "8KiB", "perm": "rw", "priv_only": true } } } } },
          "dma1": { "contexts": { "main": { "asid": 2, "mappings": {
              "k": { "va": "0x30000000", "pa": "0x90100000", "size": "8KiB", "perm": "rw", "priv_only": true } } } } } } }
    })"));
    const auto& st = s.run();
    CHECK(device_stats(st, "dma0").at("completed_error") == 4);
    CHECK(device_stats(st, "dma0").at("completed_ok") == 0);
    CHECK(device_stats(st, "dma1").at("completed_ok") == 4);
    CHECK(device_stats(st, "dma1").at("completed_error") == 0);
    const auto& sm = smmu_stats(st);
    CHECK(count_or_zero(sm.at("events_by_type"), "F_PERMISSION") == 4);
    CHECK(sm.at("events") == 4);
    for (const auto& r : s.ctx().faults.records()) {
        CHECK(r.device == "dma0");
        CHECK_FALSE(r.priv);
        CHECK(r.event == "F_PERMISSION");
    }
    const auto& store = s.platform().memory("dram").store();
    CHECK(nonzero_bytes(store, 0x90000000, 8 * KiB) == 0);
    CHECK(pattern_mismatches(store, 0x90100000, 0x30000000, 8 * KiB) == 0);
}

TEST_CASE("translate: a device with no host.streams entry gets C_BAD_STE (STE.V=0)",
          "[scenario][translate][fault]") {
    // dma1 (SID 5) sits behind the SMMU but the OS sets nothing up for it: its STE stays
    // invalid, so each of its 4 reads is terminated with C_BAD_STE. dma0 is the control.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "8KiB", "burst": 2048 } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 5, "outstanding": 1, "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "8KiB" } } } } } } }
    })"));
    const auto& st = s.run();
    CHECK(device_stats(st, "dma0").at("completed_ok") == 4);
    CHECK(device_stats(st, "dma1").at("completed_error") == 4);
    const auto& ev = smmu_stats(st).at("events_by_type");
    CHECK(count_or_zero(ev, "C_BAD_STE") == 4);
    CHECK(count_or_zero(ev, "C_BAD_CD") == 0);
    CHECK(smmu_stats(st).at("events") == 4);
}

TEST_CASE("translate: config=bypass sends transactions to PA == VA", "[scenario][translate][config]") {
    // STE.Config = bypass: 4 writes of 2 KiB at 0x98000000 land at PA 0x98000000, 4 reads OK,
    // no walks, no events; every transaction counted as bypassed (8).
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "a_write": { "op": "write", "base": "0x98000000", "length": "8KiB", "burst": 2048 },
          "b_read":  { "op": "read",  "base": "0x98000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "streams": { "dma0": { "config": "bypass" } } }
    })"));
    const auto& st = s.run();
    CHECK(device_stats(st, "dma0").at("completed_ok") == 8);
    CHECK(device_stats(st, "dma0").at("completed_error") == 0);
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("bypassed") == 8);
    CHECK(sm.at("walks") == 0);
    CHECK(sm.at("events") == 0);
    CHECK(pattern_mismatches(s.platform().memory("dram").store(), 0x98000000, 0x98000000, 8 * KiB) == 0);
}

TEST_CASE("translate: config=abort terminates everything without events", "[scenario][translate][config]") {
    // STE.Config = abort: all 8 transactions abort, no event is recorded (spec: Config=abort
    // is silent), no fault is opened, nothing is written.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 2, "jobs": {
          "a_write": { "op": "write", "base": "0x98000000", "length": "8KiB", "burst": 2048 },
          "b_read":  { "op": "read",  "base": "0x98000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "streams": { "dma0": { "config": "abort" } } }
    })"));
    const auto& st = s.run();
    CHECK(device_stats(st, "dma0").at("completed_error") == 8);
    CHECK(device_stats(st, "dma0").at("completed_ok") == 0);
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("events") == 0);
    CHECK(sm.at("aborted") == 8);
    CHECK(sm.at("bypassed") == 0);
    CHECK(st.at("faults").at("count") == 0);
    CHECK(driver_stats(st).at("events_handled") == 0);
    CHECK(nonzero_bytes(s.platform().memory("dram").store(), 0x98000000, 8 * KiB) == 0);
    CHECK(st.at("invariants").at("lost_transactions") == 0);
}

TEST_CASE("translate: fault records carry S2=0 and CLASS=IN and the access attributes",
          "[scenario][translate][fault]") {
    // Spec 7.3.13: a stage-1 F_TRANSLATION has S2 == 0 and CLASS == IN (0b10); F_PERMISSION
    // refers to F_TRANSLATION for CLASS. (Only F_WALK_EABT uses CLASS == TT at stage 1.)
    TempDir tmp;
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 7, "outstanding": 1, "jobs": {
          "a_unmapped": { "op": "read",  "base": "0x20001000", "length": "4KiB", "burst": 4096 },
          "b_ro_write": { "op": "write", "base": "0x20000000", "length": "4KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "ro": { "va": "0x20000000", "pa": "0x90000000", "size": "4KiB", "perm": "r" } } } } } } }
    })"));
    s.queue_log(tmp.file("q.txt"));
    s.run();
    s.ctx().queue_log = QueueLog();   // flush and close
    std::vector<v3::EventRecord> evs;
    for (const auto& e : parse_queue_log(read_text(tmp.file("q.txt"))))
        if (e.queue == "evtq" && e.words.size() == 4) evs.push_back(v3::decode_event(e.words.data()));
    REQUIRE(evs.size() == 2);
    CHECK(evs[0].id == smmu::EventId::F_TRANSLATION);
    CHECK(evs[0].input_addr == 0x20001000);
    CHECK(evs[0].rnw);
    CHECK(evs[1].id == smmu::EventId::F_PERMISSION);
    CHECK(evs[1].input_addr == 0x20000000);
    CHECK_FALSE(evs[1].rnw);
    for (const auto& e : evs) {
        CHECK(e.sid == 7);
        CHECK_FALSE(e.ssv);
        CHECK_FALSE(e.pnu);
        CHECK_FALSE(e.ind);
        CHECK_FALSE(e.s2);
        CHECK_FALSE(e.stall);
        CHECK(e.event_class == v3::EventClass::IN);
    }
}

// ---------------------------------------------------------------------------------------
// Data path

TEST_CASE("translate: DMA writes land at the mapped non-contiguous PAs", "[scenario][translate][data]") {
    // VA 0x10000000 page 0 -> PA 0xf0000000, page 1 -> PA 0x90000000 (reverse order, 1.5 GiB
    // apart); VA 0x98000000 -> PA 0x9a000000 (a VA that is also a DRAM address). Each byte at
    // a PA must be pattern_byte(its VA); nothing lands at PA == VA or next to page 0's PA.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 2, "jobs": {
          "a_buf": { "op": "write", "base": "0x10000000", "length": "8KiB", "burst": 512 },
          "b_hi":  { "op": "write", "base": "0x98000000", "length": "4KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "p0": { "va": "0x10000000", "pa": "0xf0000000", "size": "4KiB" },
          "p1": { "va": "0x10001000", "pa": "0x90000000", "size": "4KiB" },
          "hi": { "va": "0x98000000", "pa": "0x9a000000", "size": "4KiB" } } } } } } }
    })"));
    const auto& st = s.run();
    CHECK(device_stats(st, "dma0").at("completed_ok") == 8 * KiB / 512 + 1);
    CHECK(device_stats(st, "dma0").at("completed_error") == 0);
    const auto& store = s.platform().memory("dram").store();
    CHECK(pattern_mismatches(store, 0xf0000000, 0x10000000, kPage) == 0);
    CHECK(pattern_mismatches(store, 0x90000000, 0x10001000, kPage) == 0);
    CHECK(pattern_mismatches(store, 0x9a000000, 0x98000000, kPage) == 0);
    CHECK(nonzero_bytes(store, 0xf0001000, kPage) == 0);   // page 1 is not contiguous with page 0
    CHECK(nonzero_bytes(store, 0x98000000, kPage) == 0);   // PA == VA untouched
    CHECK(nonzero_bytes(store, 0x10000000, 2 * kPage) == 0);
    CHECK(st.at("interconnect").at("bus").at("decode_errors") == 0);
}

// ---------------------------------------------------------------------------------------
// Commands from software during the run

TEST_CASE("translate: CFGI_STE + TLBI_NH_ASID between two passes force new walks for that ASID only",
          "[scenario][translate][tlbi]") {
    // dma0 (SID 1, ASID 1) and dma1 (SID 2, ASID 2) each read 8 pages twice (16 x 2 KiB per
    // pass, one outstanding); pass 2 starts at 150 us. Between the passes a test thread
    // submits CMD_CFGI_STE(1) + CMD_TLBI_NH_ASID(1) + CMD_SYNC through the host driver.
    // Walks: pass 1 8 + 8, pass 2 dma0 8 (invalidated) + dma1 0 => 24 (16 without the TLBI,
    // 32 if it invalidated everything). Misses = walks (no coalescing): 24; hits 64 - 24 = 40.
    // Config cache misses: STE + CD per device at first use (4), + STE + CD of SID 1 again.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "a_pass1": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048 },
          "b_pass2": { "op": "read", "base": "0x10000000", "length": "32KiB", "burst": 2048, "start": "150us" } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 2, "outstanding": 1, "jobs": {
          "a_pass1": { "op": "read", "base": "0x20000000", "length": "32KiB", "burst": 2048 },
          "b_pass2": { "op": "read", "base": "0x20000000", "length": "32KiB", "burst": 2048, "start": "150us" } } },
      "host": { "streams": {
          "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
              "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "32KiB" } } } } },
          "dma1": { "contexts": { "main": { "asid": 2, "mappings": {
              "buf": { "va": "0x20000000", "pa": "0x91000000", "size": "32KiB" } } } } } } }
    })"));
    bool submitted = false;
    uint64_t t_done_ps = 0;
    Platform& p = s.platform();
    s.spawn([&] {
        auto pass1_done = [&](const char* dev) {
            const auto& j = p.dma(dev).jobs().at(0);
            return j.ok + j.error == j.count;
        };
        while (!(p.host().nth_driver<SmmuV3Driver>(0).ready() && pass1_done("dma0") && pass1_done("dma1")))
            sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
        OnCore core(p.host().cpu);
        p.host().nth_driver<SmmuV3Driver>(0).submit({v3::cmd_cfgi_ste(1, true), v3::cmd_tlbi_nh_asid(1)}, true);
        submitted = true;
        t_done_ps = now_ps();
    });
    const auto& st = s.run();
    REQUIRE(submitted);
    CHECK(t_done_ps < 150'000'000ull);   // the invalidation completed before pass 2
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("translations") == 64);
    CHECK(sm.at("walks") == 24);
    CHECK(sm.at("tlb_misses") == 24);
    CHECK(sm.at("tlb_hits") == 40);
    CHECK(sm.at("config_cache_misses") == 6);
    CHECK(count_or_zero(sm.at("commands"), "CMD_TLBI_NH_ASID") == 1);
    // The driver's own CFGI_STE per attached stream (2) plus ours.
    CHECK(count_or_zero(sm.at("commands"), "CMD_CFGI_STE") == 3);
    CHECK(device_stats(st, "dma0").at("completed_ok") == 32);
    CHECK(device_stats(st, "dma1").at("completed_ok") == 32);
}

// ---------------------------------------------------------------------------------------
// Driver configurations

namespace {

// dma0 at SID 3 and dma1 at SID 300 (300 >> 8 = 1: with SPLIT = 8 the two sit in different
// level-2 spans) each write 4 x 2 KiB through their own mapping, one outstanding.
json two_sids(const std::string& strtab) {
    return base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 3, "outstanding": 1, "jobs": {
          "w": { "op": "write", "base": "0x10000000", "length": "8KiB", "burst": 2048 } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 300, "outstanding": 1, "jobs": {
          "w": { "op": "write", "base": "0x10000000", "length": "8KiB", "burst": 2048 } } },
      "host": { "smmu_driver": { "strtab_format": ")" + strtab + R"(" }, "streams": {
          "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
              "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "8KiB" } } } } },
          "dma1": { "contexts": { "main": { "asid": 2, "mappings": {
              "buf": { "va": "0x10000000", "pa": "0x90100000", "size": "8KiB" } } } } } } }
    })");
}

void check_two_sids(Scenario& s, uint64_t expected_config_fetches) {
    const auto& st = s.stats();
    CHECK(device_stats(st, "dma0").at("completed_ok") == 4);
    CHECK(device_stats(st, "dma1").at("completed_ok") == 4);
    CHECK(device_stats(st, "dma0").at("completed_error") == 0);
    CHECK(device_stats(st, "dma1").at("completed_error") == 0);
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("events") == 0);
    CHECK(sm.at("config_cache_misses") == 4);   // STE + CD, per device
    CHECK(sm.at("config_fetches") == expected_config_fetches);
    const auto& store = s.platform().memory("dram").store();
    CHECK(pattern_mismatches(store, 0x90000000, 0x10000000, 8 * KiB) == 0);
    CHECK(pattern_mismatches(store, 0x90100000, 0x10000000, 8 * KiB) == 0);
}

}  // namespace

TEST_CASE("translate: linear stream table with SIDs 3 and 300", "[scenario][translate][strtab]") {
    // Linear: one fetch per STE miss and per CD miss => 4 fetches.
    Scenario s(two_sids("linear"));
    s.run();
    check_two_sids(s, 4);
}

TEST_CASE("translate: 2-level stream table with SIDs 3 and 300 in two L2 spans", "[scenario][translate][strtab]") {
    // 2-level: an STE miss reads the L1 descriptor, then the STE => 2 + 1 (CD) per device = 6.
    Scenario s(two_sids("2level"));
    s.run();
    check_two_sids(s, 6);
}

namespace {

// dma0 probes 8 pages of which 3 (5, 6, 7) are unmapped: K = 3 events, one outstanding
// (faults far apart, so each wired pulse is a separate edge).
json three_faults(const std::string& irq_mode, const std::string& sync_mode) {
    return base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 1, "jobs": {
          "probe": { "op": "read", "pattern": "strided", "base": "0x20000000", "length": "32KiB",
                     "stride": "4KiB", "burst": 64 } } },
      "host": { "smmu_driver": { "irq_mode": ")" + irq_mode + R"(", "sync_mode": ")" + sync_mode + R"(" },
                "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "buf": { "va": "0x20000000", "pa": "0x90000000", "size": "20KiB" } } } } } } }
    })");
}

struct ModeRun {
    uint64_t evtq_edges = 0, gerror_edges = 0, sev_edges = 0;
    std::string qlog;
};

// Runs `three_faults` and checks what every irq/sync mode must give: init completes, every
// event produced is handled, the CMD_SYNCs the driver issued all use `cs`.
void run_modes(Scenario& s, ModeRun& m, const std::string& cs) {
    TempDir tmp;
    s.queue_log(tmp.file("q.txt"));
    auto& smmu = s.platform().smmu("smmu");
    count_posedges(smmu.evtq_irq, m.evtq_edges);
    count_posedges(smmu.gerror_irq, m.gerror_edges);
    count_posedges(smmu.sev, m.sev_edges);
    const auto& st = s.run();
    s.ctx().queue_log = QueueLog();   // flush and close
    m.qlog = read_text(tmp.file("q.txt"));

    const uint64_t K = 3;
    const auto& drv = driver_stats(st);
    CHECK(drv.at("ready") == true);
    CHECK(s.platform().host().nth_driver<SmmuV3Driver>(0).ready());
    CHECK(device_stats(st, "dma0").at("completed_ok") == 5);
    CHECK(device_stats(st, "dma0").at("completed_error") == K);
    const auto& sm = smmu_stats(st);
    CHECK(sm.at("events") == K);
    CHECK(drv.at("events_handled") == K);
    CHECK(count_or_zero(drv.at("events_by_type"), "F_TRANSLATION") == K);
    CHECK(st.at("faults").at("count") == K);

    // Every SYNC the driver issued was consumed and used the expected completion signal.
    const uint64_t syncs = drv.at("syncs").get<uint64_t>();
    // One after the init invalidations (CFGI_ALL + TLBI_NSNH_ALL), one per attached STE.
    CHECK(syncs == 2);
    CHECK(count_or_zero(sm.at("commands"), "CMD_SYNC") == syncs);
    uint64_t logged = 0, other = 0;
    for (const auto& e : parse_queue_log(m.qlog)) {
        if (e.queue != "cmdq" || e.decoded.rfind("CMD_SYNC", 0) != 0) continue;
        if (e.decoded.find("cs=" + cs) != std::string::npos) ++logged;
        else ++other;
    }
    CHECK(logged == syncs);
    CHECK(other == 0);
    // The evtq interrupt was taken once per record (they are far apart).
    uint64_t evtq_irqs = 0;
    for (const auto& [name, irq] : st.at("host").at("irqs").items())
        if (name.size() > 5 && name.substr(name.size() - 5) == ".evtq") evtq_irqs += irq.at("count").get<uint64_t>();
    CHECK(evtq_irqs == K);
    CHECK(m.gerror_edges == 0);
    CHECK(st.at("invariants").at("lost_transactions") == 0);
}

}  // namespace

// KNOWN BUG (wired and SEV tests): SmmuV3::evtq_irq / sev are sc_signal<bool> with the
// default SC_ONE_WRITER policy, written by pulse() from the recording / command thread and
// lowered by the lower_lines method: the first pulse aborts the run with E115 (the binary
// exits 1 with --set host.smmu_driver.irq_mode=wired or sync_mode=sev).

TEST_CASE("translate: wired IRQs deliver events", "[scenario][translate][irq]") {
    // irq_mode=wired: no MSI address programmed, so each record pulses the evtq_irq line.
    Scenario s(three_faults("wired", "msi"));
    ModeRun m;
    run_modes(s, m, "SIG_IRQ");
    CHECK(m.evtq_edges == 3);
}

TEST_CASE("translate: MSI IRQs deliver events without touching the wired line", "[scenario][translate][irq]") {
    Scenario s(three_faults("msi", "msi"));
    ModeRun m;
    run_modes(s, m, "SIG_IRQ");
    CHECK(m.evtq_edges == 0);
    CHECK(m.sev_edges == 0);
}

TEST_CASE("translate: sync_mode=none completes CMD_SYNC by polling CONS", "[scenario][translate][sync]") {
    Scenario s(three_faults("msi", "none"));
    ModeRun m;
    run_modes(s, m, "SIG_NONE");
    CHECK(m.sev_edges == 0);
}

TEST_CASE("translate: sync_mode=sev completes CMD_SYNC with one SEV each", "[scenario][translate][sync]") {
    Scenario s(three_faults("wired", "sev"));
    ModeRun m;
    run_modes(s, m, "SIG_SEV");
    CHECK(m.sev_edges == driver_stats(s.stats()).at("syncs").get<uint64_t>());
    CHECK(m.evtq_edges == 3);
}

// ---------------------------------------------------------------------------------------
// Event queue overflow

TEST_CASE("translate: a 2-entry event queue overflows under a fault burst", "[scenario][translate][evtq]") {
    // 32 reads, 8 outstanding, all to unmapped pages: 32 F_TRANSLATION records produced in
    // bursts of 8 while the queue holds 2 and the handler spends 150 ns per record.
    // => some records lost (events_lost > 0, PROD.OVFLG seen by the driver), produced ==
    // handled + lost, every transaction still completes (with an error), no invariant broken.
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "outstanding": 8, "jobs": {
          "probe": { "op": "read", "pattern": "strided", "base": "0x40000000", "length": "128KiB",
                     "stride": "4KiB", "burst": 64 } } },
      "host": { "smmu_driver": { "evtq_log2size": 1 },
                "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "other": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB" } } } } } } }
    })"));
    const auto& st = s.run();
    const uint64_t K = 32;
    const auto& sm = smmu_stats(st);
    const auto& drv = driver_stats(st);
    CHECK(device_stats(st, "dma0").at("completed_error") == K);
    CHECK(sm.at("events") == K);
    CHECK(sm.at("events_lost").get<uint64_t>() > 0);
    CHECK(drv.at("evtq_overflows").get<uint64_t>() > 0);
    CHECK(sm.at("events").get<uint64_t>() ==
          drv.at("events_handled").get<uint64_t>() + sm.at("events_lost").get<uint64_t>());
    CHECK(st.at("faults").at("count") == K);
    CHECK(st.at("faults").at("by_resolution").at("terminated") == K);
    const auto& inv = st.at("invariants");
    CHECK(inv.at("lost_transactions") == 0);
    CHECK(inv.at("stalled_at_end") == 0);
    CHECK(inv.at("deadlock") == 0);
    CHECK(inv.at("open_faults") == 0);
    CHECK(st.at("run").at("finished") == true);
}
