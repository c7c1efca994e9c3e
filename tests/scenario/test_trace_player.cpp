// Trace player (models/devices/trace_player.{h,cpp}, docs/models/trace-player.md): the
// shipped trace_replay platform with exact counts and timing, issue-time semantics with
// `outstanding`, stall + SVA demand paging through a replayed trace, and the CLI errors a
// malformed trace produces (exit 2 naming file and line).
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/devices/job_device.h"
#include "models/devices/trace_player.h"
#include "models/memory/memory.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

const std::string kSource = iopf::source_dir();

size_t pattern_mismatches(const BackingStore& store, uint64_t pa, uint64_t va, uint64_t len) {
    std::vector<uint8_t> buf(len);
    store.read(pa, buf.data(), len);
    size_t bad = 0;
    for (uint64_t i = 0; i < len; ++i) bad += buf[i] != pattern_byte(va + i);
    return bad;
}

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST_CASE("trace_player: the shipped trace_replay platform replays sample_dma.csv exactly", "[scenario][trace_player]") {
    const json p = json::parse(read_text(kSource + "/platforms/trace_replay.json"), nullptr, true, true);
    Scenario s(p, {}, 1, "trace_replay");
    const auto& st = s.run();

    // traces/sample_dma.csv: 16 writes of 1 KiB filling the 16 KiB "buf" mapping, 8 reads of
    // 2 KiB reading it back, 3 reads of 64 B at unmapped pages (F_TRANSLATION), a 64 B write
    // to the read-only page (F_PERMISSION) and a 256 B read of it (OK). Terminate model:
    // every fault ends the transaction with an abort.
    const auto& d = device_stats(st, "tp");
    CHECK(d.at("records") == 29);
    CHECK(d.at("issued") == 29);
    CHECK(d.at("writes") == 17);
    CHECK(d.at("reads") == 12);
    CHECK(d.at("completed_ok") == 16 + 8 + 1);
    CHECK(d.at("completed_error") == 3 + 1);
    CHECK(d.at("bytes") == 16 * 1024 + 8 * 2048 + 256);
    CHECK(d.at("sid") == 5);   // default: the first access's stream
    CHECK(d.at("finished") == true);

    const auto& m = smmu_stats(st);
    CHECK(m.at("translations") == 29);
    CHECK(m.at("events_by_type").at("F_TRANSLATION") == 3);
    CHECK(m.at("events_by_type").at("F_PERMISSION") == 1);
    CHECK(st.at("faults").at("count") == 4);
    CHECK(st.at("faults").at("by_resolution").at("terminated") == 4);
    for (const auto& [k, v] : st.at("invariants").items()) {
        INFO(k);
        CHECK(v == 0);
    }

    // Timing: trace time 0 is bus-master enable (the first write is due then and a slot is
    // free). The faulting accesses come after the read-back has drained, so each is issued
    // exactly at enable + its trace time: 5000, 5100, 5200 ns and 6 us.
    const auto& tp = s.platform().trace_player("tp");
    const uint64_t origin = static_cast<uint64_t>(d.at("first_issue_ns").get<double>() * 1000.0 + 0.5);
    REQUIRE(s.ctx().faults.records().size() == 4);
    const uint64_t due[] = {5'000'000, 5'100'000, 5'200'000, 6'000'000};
    const uint64_t addr[] = {0x10020000, 0x10030000, 0x10040000, 0x10010000};
    for (size_t i = 0; i < 4; ++i) {
        const auto& f = s.ctx().faults.records()[i];
        INFO("fault " << i);
        CHECK(f.device == "tp");
        CHECK(f.sid == 5);
        CHECK_FALSE(f.ssv);
        CHECK(f.address == addr[i]);
        CHECK(f.t_issue_ps - origin == due[i]);
    }
    CHECK(tp.records() == 29);
    CHECK(tp.in_flight() == 0);

    // Every byte of the 16 KiB buffer holds what the writes put at its input address.
    CHECK(pattern_mismatches(s.platform().memory("dram").store(), 0x90000000, 0x10000000, 16 * 1024) == 0);
    // The read-only page was not written.
    std::vector<uint8_t> ro(64);
    s.platform().memory("dram").store().read(0x90100000, ro.data(), ro.size());
    CHECK(std::count(ro.begin(), ro.end(), 0) == 64);
}

TEST_CASE("trace_player: accesses issue at their time, or when a slot frees (late)", "[scenario][trace_player]") {
    // Three players with their own trace files and streams:
    //  tp1, outstanding 1: three reads all due at 0 -> the 2nd and 3rd wait for the previous
    //       one to complete, so 2 are late; a 4th, due at 20 us, is on time.
    //  tp2, outstanding 3: the same three reads at 0 all go at once, none late.
    //  tp3, no SMMU, time_origin zero: due at 100 ns and 250 ns of simulated time -> issued
    //       exactly then (it needs no driver set-up, it starts at time 0).
    TempDir tmp;
    write_text(tmp.file("t1.csv"), "0,1,,0x10000000,64,R\n0,1,,0x10000040,64,R\n0,1,,0x10000080,64,R\n20us,1,,0x100000c0,64,W\n");
    write_text(tmp.file("t2.csv"), "time,stream,substream,address,size,op\n0,2,,0x10000000,64,R\n0,2,,0x10000040,64,R\n0,2,,0x10000080,64,R\n");
    write_text(tmp.file("t3.csv"), "100ns,9,,0x98000000,128,W\n0.25us,9,,0x98000080,128,W\n");
    json patch = {
        {"tp1", {{"type", "trace_player"}, {"smmu", "smmu"}, {"trace", tmp.file("t1.csv")}, {"outstanding", 1}}},
        {"tp2", {{"type", "trace_player"}, {"smmu", "smmu"}, {"trace", tmp.file("t2.csv")}, {"outstanding", 3}}},
        {"tp3", {{"type", "trace_player"}, {"smmu", ""}, {"trace", tmp.file("t3.csv")}, {"time_origin", "zero"}}},
        {"host", {{"streams", {
            {"tp1", {{"contexts", {{"main", {{"asid", 1}, {"mappings", {{"buf", {{"va", "0x10000000"}, {"pa", "0x90000000"}, {"size", "4KiB"}}}}}}}}}}},
            {"tp2", {{"contexts", {{"main", {{"asid", 2}, {"mappings", {{"buf", {{"va", "0x10000000"}, {"pa", "0x91000000"}, {"size", "4KiB"}}}}}}}}}}}}}}}};
    Scenario s(base_platform(patch.dump()));
    const auto& st = s.run();

    const auto& d1 = device_stats(st, "tp1");
    CHECK(d1.at("issued") == 4);
    CHECK(d1.at("completed_ok") == 4);
    CHECK(d1.at("late") == 2);
    CHECK(d1.at("sid") == 1);
    // The 2nd read waited for the 1st, the 3rd for the first two: the longest wait is two
    // read latencies, the mean of the two waits 1.5.
    const double lat_max = d1.at("latency_ns").at("max").get<double>();
    CHECK(d1.at("late_ns").at("max").get<double>() <= 2 * lat_max);
    CHECK(d1.at("late_ns").at("max").get<double>() > lat_max);
    // The write went at enable + 20 us exactly: last_done - first_issue = 20 us + its latency.
    CHECK(d1.at("last_done_ns").get<double>() - d1.at("first_issue_ns").get<double>() > 20000.0);
    CHECK(d1.at("last_done_ns").get<double>() - d1.at("first_issue_ns").get<double>() < 20000.0 + lat_max + 1e-9);

    const auto& d2 = device_stats(st, "tp2");
    CHECK(d2.at("issued") == 3);
    CHECK(d2.at("completed_ok") == 3);
    CHECK(d2.at("late") == 0);

    const auto& d3 = device_stats(st, "tp3");
    CHECK(d3.at("issued") == 2);
    CHECK(d3.at("completed_ok") == 2);
    CHECK(d3.at("late") == 0);
    CHECK(d3.at("first_issue_ns") == 100.0);
    CHECK(d3.at("bytes") == 256);
    CHECK(pattern_mismatches(s.platform().memory("dram").store(), 0x98000000, 0x98000000, 256) == 0);
    CHECK(st.at("faults").at("count") == 0);
    for (const auto& [k, v] : st.at("invariants").items()) {
        INFO(k);
        CHECK(v == 0);
    }
}

TEST_CASE("trace_player: a stalling replay demand-pages an SVA process", "[scenario][trace_player][stall]") {
    // outstanding 1, all due at 0. Pages 0x400000000..0x400003000 of p0's heap are untouched:
    // the first access to each of the 4 pages faults, stalls and is resumed after
    // handle_mm_fault (success); the second access to the same page then hits. The access
    // at 0x600000000 is outside any VMA: handle_mm_fault fails, the stall is terminated
    // (invalid) and the access completes with an error. 9 accesses: 8 OK (512 B each), 1 error.
    TempDir tmp;
    write_text(tmp.file("stall.csv"),
               "# two accesses per page, one outside the VMA\n"
               "time,stream,substream,address,size,op\n"
               "0,16,1,0x400000000,512,W\n0,16,1,0x400000200,512,W\n"
               "0,16,1,0x400001000,512,W\n0,16,1,0x400001200,512,W\n"
               "0,16,1,0x400002000,512,R\n0,16,1,0x400002200,512,R\n"
               "0,16,1,0x600000000,64,R\n"
               "0,16,1,0x400003000,512,W\n0,16,1,0x400003200,512,W\n");
    json patch = {
        {"smmu", {{"features", {{"stall_model", "stall_term"}}}}},
        {"tp", {{"type", "trace_player"}, {"smmu", "smmu"}, {"trace", tmp.file("stall.csv")}, {"outstanding", 1}, {"can_stall", true}}},
        {"host", {{"mm", {{"user_pool", {{"base", "0xa0000000"}, {"size", "1GiB"}}}}},
                  {"processes", {{"p0", {{"pasid", 1}, {"asid", 10}, {"vmas", {{"heap", {{"start", "0x400000000"}, {"size", "64KiB"}, {"perm", "rw"}}}}}}}}},
                  {"streams", {{"tp", {{"sva", "p0"}}}}}}}};
    Scenario s(base_platform(patch.dump()));
    const auto& st = s.run();
    const auto& d = device_stats(st, "tp");
    CHECK(d.at("issued") == 9);
    CHECK(d.at("completed_ok") == 8);
    CHECK(d.at("completed_error") == 1);
    CHECK(d.at("bytes") == 8 * 512);
    CHECK(d.at("late") == 8);
    CHECK(smmu_stats(st).at("stalls") == 5);
    CHECK(st.at("faults").at("count") == 5);
    CHECK(st.at("faults").at("by_resolution").at("success") == 4);
    CHECK(st.at("faults").at("by_resolution").at("invalid") == 1);
    const auto& recs = s.ctx().faults.records();
    REQUIRE(recs.size() == 5);
    const uint64_t addr[] = {0x400000000, 0x400001000, 0x400002000, 0x600000000, 0x400003000};
    for (size_t i = 0; i < 5; ++i) {
        INFO("fault " << i);
        CHECK(recs[i].address == addr[i]);
        CHECK(recs[i].ssv);
        CHECK(recs[i].ssid == 1);
        CHECK(recs[i].sid == 16);
    }
    for (const auto& [k, v] : st.at("invariants").items()) {
        INFO(k);
        CHECK(v == 0);
    }
}

TEST_CASE("trace_player cli: a malformed trace line exits 2 naming file and line", "[scenario][trace_player][cli]") {
    TempDir tmp;
    const std::string trace = tmp.file("bad.csv");
    // Line 1 comment, 2 header, 3 good, 4 bad op.
    write_text(trace, "# comment\ntime,stream,substream,address,size,op\n0,5,,0x10000000,64,R\n10ns,5,,0x10000040,64,X\n");
    json p = json::parse(read_text(kSource + "/platforms/trace_replay.json"), nullptr, true, true);
    p["tp"]["trace"] = trace;
    const std::string plat = tmp.file("p.json");
    write_text(plat, p.dump(2));

    auto r = run_cli({"--platform", plat, "--quiet"});
    INFO("exit " << r.exit_code << "\nstderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find(trace + ":4: expected R or W in column 'op', got 'X'") != std::string::npos);

    // Time going backwards, line 3 (no header here).
    write_text(trace, "1us,5,,0x10000000,64,R\n# c\n999ns,5,,0x10000040,64,R\n");
    r = run_cli({"--platform", plat, "--quiet"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(trace + ":3: expected a time not before") != std::string::npos);

    // An access crossing a 4 KiB boundary, line 1.
    write_text(trace, "0,5,,0x10000fc0,128,R\n");
    r = run_cli({"--platform", plat, "--quiet"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(trace + ":1: expected an access that does not cross a 4 KiB boundary") != std::string::npos);

    // A trace file that does not exist: exit 2 naming the parameter and the file.
    p["tp"]["trace"] = "no_such_trace_xyz.csv";
    write_text(plat, p.dump(2));
    r = run_cli({"--platform", plat, "--quiet"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("parameter 'tp.trace': cannot read trace 'no_such_trace_xyz.csv'") != std::string::npos);
}
