// Scenario tests for stage 2 and nesting (platforms/stage2_stall.json): stage-2 stalls
// resolved by the host hypervisor, S2S=0 terminating, the queue log and the fault log.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

struct Run {
    TempDir dir;
    CliResult r;
    json stats;
    std::string q, f;
    explicit Run(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--platform", "stage2_stall", "--quiet", "--stats", dir.file("s.json"),
                                         "--fault-log", dir.file("f.csv"), "--queue-log", dir.file("q.txt")};
        args.insert(args.end(), extra.begin(), extra.end());
        r = run_cli(args);
        stats = json::parse(read_text(dir.file("s.json")));
        q = read_text(dir.file("q.txt"));
        f = read_text(dir.file("f.csv"));
    }
};

size_t count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("stage2: stage2_stall resolves every stall-capable stage-2 fault through the host", "[stage2]") {
    Run run;
    REQUIRE(run.r.exit_code == 0);
    const json& s = run.stats;
    // 16 pages of b_demand + 4 pages re-touched after the unmap (nested), 8 pages of the
    // S2-only device: 28 stalls resolved; 2 pages of the S2S=0 device terminate; the host's
    // SVA device takes 8 stage-1 faults.
    CHECK(s["faults"]["count"] == 38);
    CHECK(s["faults"]["by_stage_of_fault"]["stage1"] == 8);
    CHECK(s["faults"]["by_stage_of_fault"]["stage2"] == 30);
    CHECK(s["faults"]["by_resolution"]["success"] == 36);
    CHECK(s["faults"]["by_resolution"]["terminated"] == 2);
    const json& m = smmu_stats(s);
    CHECK(m["s2_faults"] == 30);
    CHECK(m["stalls"] == 36);
    CHECK(m["resumes"] == 36);
    CHECK(m["commands"]["CMD_TLBI_S2_IPA"] == 4);
    CHECK(m["commands"]["CMD_TLBI_S12_VMALL"] == 1);
    CHECK(m["nested_walks"].get<uint64_t>() > 0);
    const json& vm = s["host"]["hypervisor"]["vm0"];
    CHECK(vm["s2_faults"] == 28);            // 2 terminated faults never reach the host
    CHECK(vm["backing_faults"] == 24);       // the 4 re-faulted pages are still in the VMM
    CHECK(vm["s2_pages_unmapped"] == 4);
    CHECK(device_stats(s, "dma_vm")["completed_ok"] == 84);
    CHECK(device_stats(s, "dma_s2")["completed_ok"] == 16);
    CHECK(device_stats(s, "dma_term")["completed_error"] == 2);
    CHECK(s["invariants"]["lost_transactions"] == 0);
    CHECK(s["invariants"]["stalled_at_end"] == 0);

    // Queue log: the STEs software installed, stage-2 event records, the invalidations.
    CHECK(count(run.q, "Config=nested") >= 1);
    CHECK(count(run.q, "Config=s2_only") >= 2);
    CHECK(count(run.q, "S2S=1") >= 2);
    CHECK(count(run.q, "S2S=0") >= 1);
    CHECK(count(run.q, "s2=1 class=IN ipa=0x41000000") == 1);
    CHECK(count(run.q, "CMD_TLBI_S2_IPA vmid=1 addr=0x40800000") == 1);
    CHECK(count(run.q, "CMD_TLBI_S12_VMALL vmid=1") == 1);

    // Fault log: stage_of_fault and vm are the last two columns.
    const auto lines = lines_of(run.f);
    REQUIRE(!lines.empty());
    CHECK(lines[0].size() > 20);
    CHECK(lines[0].substr(lines[0].size() - 18) == ",stage_of_fault,vm");
    CHECK(count(run.f, "success,") >= 28);
    CHECK(count(run.f, ",2,vm0\n") == 30);
    CHECK(count(run.f, ",1,host\n") == 8);
}

TEST_CASE("stage2: S2S=1 stalls and resumes, S2S=0 terminates (the device cannot stall)", "[stage2]") {
    // Make the S2-only device non-stalling too: its 8 faults now terminate, and the host's
    // IOPF path sees none of them.
    Run run({"--set", "dma_s2.can_stall=false"});
    REQUIRE(run.r.exit_code == 0);
    const json& s = run.stats;
    CHECK(s["faults"]["by_resolution"]["terminated"] == 10);
    CHECK(s["host"]["hypervisor"]["vm0"]["s2_faults"] == 20);
    CHECK(device_stats(s, "dma_s2")["completed_error"] == 8);
    CHECK(smmu_stats(s)["stalls"] == 28);
}
