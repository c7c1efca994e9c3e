// Mistakes caught before the run (issue 16): each bad input exits 2 with exactly one line on
// stderr that names what is wrong, and nothing is simulated. A run-time SystemC error is one
// `iopf-sim: error:` line, exit 1, and the stats file records it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// Runs iopf-sim with `args` (plus --quiet) and checks: exit 2, one stderr line, no stdout,
// and every `needle` appears in the line.
void expect_bad_input(std::vector<std::string> args, const std::vector<std::string>& needles) {
    args.push_back("--quiet");
    const auto r = run_cli(args);
    INFO("exit " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.rfind("iopf-sim: ", 0) == 0);
    CHECK(r.out.empty());
    for (const auto& n : needles) {
        INFO("expected in stderr: " << n);
        CHECK(r.err.find(n) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("checks: a DRAM too small for the kernel pool exits 2 before the run", "[scenario][cli][checks]") {
    // The kernel pool is 64 MiB at 0x80000000; a 4 KiB DRAM cannot hold it.
    expect_bad_input({"--platform", "showcase", "--set", "dram.size=4KiB"},
                     {"host.kernel_pool.base", "0x84000000", "dram [0x80000000, 0x80001000)"});
}

TEST_CASE("checks: a kernel pool placed outside DRAM exits 2", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--set", "host.kernel_pool.base=0x40000000"},
                     {"host.kernel_pool.base", "not inside any memory"});
}

TEST_CASE("checks: a user page pool running past the end of DRAM exits 2", "[scenario][cli][checks]") {
    // DRAM is 2 GiB at 0x80000000 (ends at 0x100000000); 0xf0000000 + 1 GiB runs past it.
    expect_bad_input({"--platform", "sva_stall", "--set", "host.mm.user_pool.base=0xf0000000"},
                     {"host.mm.user_pool.base", "0x130000000"});
}

TEST_CASE("checks: a mapping whose PA is in no memory exits 2", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--set", "host.streams.dma0.contexts.main.mappings.buf.pa=0x20000000"},
                     {"host.streams.dma0.contexts.main.mappings.buf.pa", "mapping", "0x20000000"});
}

TEST_CASE("checks: a TLB geometry that does not divide is bad input (exit 2)", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--set", "smmu.tlb.ways=3"}, {"TLB geometry", "(3)"});
}

TEST_CASE("checks: a device control page that is misaligned or overlaps another exits 2", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--set", "dma0.ctrl_base=0x0c000010"},
                     {"dma0.ctrl_base", "4 KiB aligned"});
    expect_bad_input({"--platform", "dma_translate", "--set", "dma1.ctrl_base=0x0c000000"},
                     {"address map", "'dma1.ctrl' overlaps 'dma0.ctrl'"});
    expect_bad_input({"--platform", "dma_translate", "--set", "dma0.ctrl_base=0x80000000"},
                     {"'dma0.ctrl' overlaps 'dram'"});
}

TEST_CASE("checks: a malformed or unknown --inject exits 2 naming what is known", "[scenario][cli][checks][inject]") {
    expect_bad_input({"--platform", "sva_stall", "--inject", "smmu:nope"},
                     {"'smmu' has no point 'nope'", "evtq_write", "walk_read"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "gpu9:walk_read"},
                     {"'gpu9' has no injection points", "host, smmu"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "smmu:evtq_write@20"}, {"needs a unit"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "smmu:evtq_write*0"}, {"COUNT '0'"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "host:cpu.stall@1us"}, {"cpu.stall needs a positive duration"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "host:cpu.stall@1us+1us,core=9"}, {"core 9", "4 cores"});
    expect_bad_input({"--platform", "sva_stall", "--inject", "evtq_write"}, {"no TARGET:"});
}

TEST_CASE("checks: a stray positional argument exits 2 and suggests --platform", "[scenario][cli][checks]") {
    expect_bad_input({"sva_stall"}, {"'sva_stall'", "--platform sva_stall"});
}

TEST_CASE("checks: a --set value split by a space exits 2", "[scenario][cli][checks]") {
    // What the shell passes for an unquoted `--set dram.latency=2 us`.
    expect_bad_input({"--platform", "dma_translate", "--set", "dram.latency=2", "us"}, {"'us'", "dram.latency=2us"});
}

TEST_CASE("checks: --duration without a unit exits 2", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--duration", "50"}, {"--duration", "'50'", "50us"});
}

TEST_CASE("checks: --trace-filter without --vcd exits 2", "[scenario][cli][checks]") {
    expect_bad_input({"--platform", "dma_translate", "--trace-filter", "smmu.*"}, {"--trace-filter", "--vcd"});
}

TEST_CASE("checks: --trace-filter matching no signal exits 2 and leaves no VCD", "[scenario][cli][checks]") {
    TempDir tmp;
    expect_bad_input({"--platform", "dma_translate", "--vcd", tmp.file("w.vcd"), "--trace-filter", "no.such.*"},
                     {"'no.such.*'", "matches none"});
}

TEST_CASE("checks: a run-time error is one line, exit 1, and the stats record it", "[scenario][cli][checks]") {
    // A 16 KiB kernel pool elaborates fine but runs out while the driver probes the SMMU:
    // bad input found at run time (issue 10), so exit 2 with one line, and still recorded.
    TempDir tmp;
    const std::string stats = tmp.file("s.json");
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--set", "host.kernel_pool.size=16KiB", "--stats", stats});
    INFO("exit " << r.exit_code << "\n--- stderr\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.rfind("iopf-sim: kernel pool: out of memory", 0) == 0);
    CHECK(r.err.find("E549") == std::string::npos);
    CHECK(r.err.find("In file") == std::string::npos);
    const json s = json::parse(read_text(stats));
    CHECK(s.at("run").at("error").get<std::string>().find("kernel pool: out of memory") != std::string::npos);
    CHECK(s.at("run").at("finished") == false);
    CHECK(s.at("devices").is_object());
}
