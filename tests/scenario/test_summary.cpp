// The summary printed at the end of a run (issue 16): honest about a run cut short, without
// stages the platform's fault paths do not have, and ending with what to look at next.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

TEST_CASE("summary: a run cut short by --duration says so and simulated_ns is the limit", "[scenario][cli][summary]") {
    TempDir tmp;
    const std::string stats = tmp.file("s.json");
    // sva_stall's first faults take ~10 us each; at 20 us two transactions are still waiting.
    const auto r = run_cli({"--platform", "sva_stall", "--duration", "20us", "--stats", stats});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("cut short at 20 us by the duration limit, 2 in flight") != std::string::npos);
    const json s = json::parse(read_text(stats));
    CHECK(s.at("run").at("cut_short") == true);
    CHECK(s.at("run").at("in_flight_at_end") == 2);
    CHECK(s.at("run").at("simulated_ns").get<double>() == 20000.0);
}

TEST_CASE("summary: a finished run does not claim to be cut short", "[scenario][cli][summary]") {
    const auto r = run_cli({"--platform", "dma_translate"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("cut short") == std::string::npos);
}

TEST_CASE("summary: stages the platform's paths do not have are not shown", "[scenario][cli][summary]") {
    // dma_translate: terminate-model faults only (detect, record, retry); no GPU, so no dump.
    const auto r = run_cli({"--platform", "dma_translate"});
    REQUIRE(r.exit_code == 0);
    const auto table = r.out.substr(r.out.find("  stage "));
    CHECK(table.find("  detect ") != std::string::npos);
    CHECK(table.find("  record ") != std::string::npos);
    for (const char* absent : {"  dump ", "  mm_fault ", "  queue ", "  irq "}) {
        INFO(absent);
        CHECK(table.find(absent) == std::string::npos);
    }
    // The GPU platform does show dump.
    const auto g = run_cli({"--platform", "gpu_deferred_resume"});
    REQUIRE(g.exit_code == 0);
    CHECK(g.out.find("  dump ") != std::string::npos);
}

TEST_CASE("summary: ends with what to look at next, naming the files written", "[scenario][cli][summary]") {
    TempDir tmp;
    const std::string stats = tmp.file("s.json"), vcd = tmp.file("w.vcd");
    const auto r = run_cli({"--platform", "sva_stall", "--stats", stats, "--vcd", vcd});
    REQUIRE(r.exit_code == 0);
    const auto next = r.out.find("\nNext:\n");
    REQUIRE(next != std::string::npos);
    const auto tail = r.out.substr(next);
    CHECK(tail.find("iopf-sim diff BASE.json " + stats) != std::string::npos);
    CHECK(tail.find("gtkwave " + vcd + " ") != std::string::npos);
    CHECK(tail.find("sva_stall.gtkw") != std::string::npos);
    CHECK(tail.find("iopf-sim --describe sva_stall") != std::string::npos);
}
